-- Accounts, projects, tasks, comments, activity, notifications and the per-project event
-- log; the same shape as the SQLite schema, in PostgreSQL's own types.

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    timezone      TEXT NOT NULL DEFAULT 'UTC',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

-- Browser sessions and API tokens; only a SHA-256 of the secret is kept.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('browser', 'api')),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE projects (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    created_by  UUID NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    seq         BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE project_members (
    project_id UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    joined_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user_idx ON project_members (user_id);

CREATE TABLE tasks (
    id           UUID PRIMARY KEY,
    project_id   UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    description  TEXT,
    status       TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
    priority     BIGINT NOT NULL DEFAULT 0,
    due_at       TIMESTAMPTZ,
    created_by   UUID NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    version      BIGINT NOT NULL DEFAULT 1,
    -- Words of the title and description. Runs of letters and digits are the words, as
    -- SQLite's unicode61 tokenizer sees them, so both backends find the same tasks.
    search       TSVECTOR GENERATED ALWAYS AS (
        to_tsvector('simple', regexp_replace(title || ' ' || coalesce(description, ''), '[^[:alnum:]]+', ' ', 'g'))
    ) STORED
);
CREATE INDEX tasks_project_created_idx ON tasks (project_id, created_at, id);
CREATE INDEX tasks_project_updated_idx ON tasks (project_id, updated_at, id);
CREATE INDEX tasks_project_due_idx ON tasks (project_id, due_at, id);
CREATE INDEX tasks_project_due_desc_idx ON tasks (project_id, due_at DESC NULLS LAST, id);
CREATE INDEX tasks_project_priority_idx ON tasks (project_id, priority, id);
CREATE INDEX tasks_project_priority_desc_idx ON tasks (project_id, priority DESC, id);
CREATE INDEX tasks_project_status_idx ON tasks (project_id, status);
CREATE INDEX tasks_project_title_idx ON tasks (project_id, (lower(title) COLLATE "C"), id);
CREATE INDEX tasks_search_idx ON tasks USING GIN (search);

CREATE TABLE task_assignees (
    task_id  UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_assignees_user_idx ON task_assignees (user_id, task_id);

CREATE TABLE task_labels (
    task_id  UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    label    TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (task_id, label)
);
CREATE INDEX task_labels_label_idx ON task_labels (label, task_id);

CREATE TABLE comments (
    id         UUID PRIMARY KEY,
    task_id    UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id  UUID NOT NULL REFERENCES users (id),
    parent_id  UUID REFERENCES comments (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX comments_task_idx ON comments (task_id, created_at);

-- Who changed what: `changes` maps each field to {"from", "to"}; `version` is the task
-- version the change produced, so a stale edit can tell which fields moved since.
CREATE TABLE activity (
    id       UUID PRIMARY KEY,
    task_id  UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    actor_id UUID NOT NULL REFERENCES users (id),
    at       TIMESTAMPTZ NOT NULL,
    kind     TEXT NOT NULL,
    version  BIGINT NOT NULL,
    changes  JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX activity_task_idx ON activity (task_id, version);

-- The per-project event log: written in the same transaction as the change it records.
CREATE TABLE events (
    project_id UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    actor_id   UUID,
    at         TIMESTAMPTZ NOT NULL,
    payload    JSONB NOT NULL,
    PRIMARY KEY (project_id, seq)
);

CREATE TABLE notifications (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    project_id UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    task_id    UUID,
    actor_id   UUID,
    title      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- Periodic work shared by every instance: whoever moves `due_at` on first runs it.
CREATE TABLE scheduled_jobs (
    name       TEXT PRIMARY KEY,
    due_at     TIMESTAMPTZ NOT NULL,
    claimed_by TEXT,
    claimed_at TIMESTAMPTZ
);
