-- Reminders sent: one row per (task, person, kind, due date). The insert is the claim,
-- so each reminder goes out once however many instances look, and a task given a new
-- due date is reminded again.
CREATE TABLE reminders_sent (
    task_id UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    due_at  TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (task_id, user_id, kind, due_at)
);

-- Open tasks by due date, for the scheduler's look-ahead.
CREATE INDEX tasks_open_due_idx ON tasks (due_at) WHERE status <> 'done' AND due_at IS NOT NULL;
