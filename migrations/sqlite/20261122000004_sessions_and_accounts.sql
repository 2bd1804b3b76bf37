-- Sessions and tokens get a public id (listed and revoked by it, never by the secret),
-- a name (the device, or the token's name), a scope and when they were last used.
-- Accounts can be disabled by an admin.
ALTER TABLE sessions ADD COLUMN id TEXT;
UPDATE sessions SET id = lower(hex(randomblob(16))) WHERE id IS NULL;
CREATE UNIQUE INDEX sessions_id_key ON sessions (id);
ALTER TABLE sessions ADD COLUMN name TEXT;
ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write' CHECK (scope IN ('read', 'read_write'));
ALTER TABLE sessions ADD COLUMN personal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
UPDATE sessions SET last_seen_at = created_at WHERE last_seen_at IS NULL;

ALTER TABLE users ADD COLUMN disabled_at TEXT;
