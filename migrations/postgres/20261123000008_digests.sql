-- Daily digests sent: one row per person and local day. The insert is the claim, so a
-- digest goes out once however many instances look.
CREATE TABLE digests_sent (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     DATE NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, day)
);
