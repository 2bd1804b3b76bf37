-- What each person wants to hear about, on which channels, and their quiet hours:
-- `NotificationPrefs` as JSON; `{}` means the defaults.
ALTER TABLE users ADD COLUMN notification_prefs TEXT NOT NULL DEFAULT '{}';

-- Notifications still to go out on a channel other than the app (email). Written in the
-- same transaction as the notification; a sender claims rows due by `due_at` for a
-- while (`claimed_until`), deletes them once sent, and on failure moves `due_at` on.
CREATE TABLE deliveries (
    notification_id UUID NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    due_at          TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_until   TIMESTAMPTZ,
    last_error      TEXT,
    -- Set when it will not be tried again; kept so an operator can see what failed.
    gave_up_at      TIMESTAMPTZ,
    PRIMARY KEY (notification_id, channel)
);
CREATE INDEX deliveries_due_idx ON deliveries (channel, due_at) WHERE gave_up_at IS NULL;
