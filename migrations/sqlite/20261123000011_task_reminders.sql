-- Reminders a task carries of its own: at a fixed moment (`remind_at`), or a number of
-- minutes before its due time (`before_due_minutes`), exactly one of the two. They go to
-- the task's assignees (its creator when nobody is assigned), claimed like the others in
-- `reminders_sent`.
CREATE TABLE task_reminders (
    id                 TEXT PRIMARY KEY NOT NULL,
    task_id            TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    remind_at          TEXT,
    before_due_minutes INTEGER,
    created_by         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at         TEXT NOT NULL,
    CHECK ((remind_at IS NULL) <> (before_due_minutes IS NULL))
);
CREATE INDEX task_reminders_task_idx ON task_reminders (task_id);
CREATE INDEX task_reminders_at_idx ON task_reminders (remind_at) WHERE remind_at IS NOT NULL;
