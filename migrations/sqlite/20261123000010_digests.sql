-- Daily digests sent: one row per person and local day. The insert is the claim, so a
-- digest goes out once however many instances look.
CREATE TABLE digests_sent (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
);
