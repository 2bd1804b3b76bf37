-- Periodic work shared by every instance: whoever moves `due_at` on first runs it.
CREATE TABLE scheduled_jobs (
    name       TEXT PRIMARY KEY NOT NULL,
    due_at     TEXT NOT NULL,
    claimed_by TEXT,
    claimed_at TEXT
);
