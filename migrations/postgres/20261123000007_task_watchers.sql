-- People who follow a task without being its creator or assignee: they hear of its
-- changes and comments while they stay members of its project.
CREATE TABLE task_watchers (
    task_id    UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_watchers_user_idx ON task_watchers (user_id);
