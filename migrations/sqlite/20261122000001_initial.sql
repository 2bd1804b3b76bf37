-- Accounts, projects, tasks, comments, activity, notifications and the per-project event log.
-- Ids are UUID text; timestamps are RFC 3339 UTC text, which sorts in time order.

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    timezone      TEXT NOT NULL DEFAULT 'UTC',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Browser sessions and API tokens; only a SHA-256 of the secret is kept.
CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('browser', 'api')),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE projects (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    seq         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE project_members (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    joined_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user_idx ON project_members (user_id);

CREATE TABLE tasks (
    id           TEXT PRIMARY KEY NOT NULL,
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    description  TEXT,
    status       TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
    priority     INTEGER NOT NULL DEFAULT 0,
    due_at       TEXT,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    completed_at TEXT,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tasks_project_created_idx ON tasks (project_id, created_at, id);
CREATE INDEX tasks_project_updated_idx ON tasks (project_id, updated_at, id);
CREATE INDEX tasks_project_due_idx ON tasks (project_id, due_at, id);
CREATE INDEX tasks_project_priority_idx ON tasks (project_id, priority, id);
CREATE INDEX tasks_project_status_idx ON tasks (project_id, status);
CREATE INDEX tasks_project_title_idx ON tasks (project_id, title COLLATE NOCASE, id);

CREATE TABLE task_assignees (
    task_id  TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_assignees_user_idx ON task_assignees (user_id, task_id);

CREATE TABLE task_labels (
    task_id  TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (task_id, label)
);
CREATE INDEX task_labels_label_idx ON task_labels (label, task_id);

CREATE TABLE comments (
    id         TEXT PRIMARY KEY NOT NULL,
    task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL REFERENCES users (id),
    parent_id  TEXT REFERENCES comments (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX comments_task_idx ON comments (task_id, created_at);

-- Who changed what: `changes` maps each field to {"from", "to"}; `version` is the task
-- version the change produced, so a stale edit can tell which fields moved since.
CREATE TABLE activity (
    id       TEXT PRIMARY KEY NOT NULL,
    task_id  TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    actor_id TEXT NOT NULL REFERENCES users (id),
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    changes  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX activity_task_idx ON activity (task_id, version);

-- The per-project event log: written in the same transaction as the change it records.
CREATE TABLE events (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    actor_id   TEXT,
    at         TEXT NOT NULL,
    payload    TEXT NOT NULL,
    PRIMARY KEY (project_id, seq)
);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    task_id    TEXT,
    actor_id   TEXT,
    title      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
