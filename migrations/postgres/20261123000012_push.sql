-- Devices (browsers, installed apps) that receive web push notifications: the push
-- service's endpoint for each and the keys its messages are encrypted with.
CREATE TABLE push_subscriptions (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    device     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id, created_at);

-- Secrets the instance makes on first start and every instance shares (the VAPID key).
CREATE TABLE instance_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Preferences saved before push existed get push wherever they have email (every
-- stored channel list ends with "email" when it has it).
UPDATE users SET notification_prefs = replace(notification_prefs, '"email"]', '"email","push"]');
