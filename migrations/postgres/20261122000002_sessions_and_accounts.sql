-- Sessions and tokens get a public id (listed and revoked by it, never by the secret),
-- a name (the device, or the token's name), a scope and when they were last used.
-- Accounts can be disabled by an admin.
ALTER TABLE sessions ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX sessions_id_key ON sessions (id);
ALTER TABLE sessions ADD COLUMN name TEXT;
ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write' CHECK (scope IN ('read', 'read_write'));
ALTER TABLE sessions ADD COLUMN personal BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
UPDATE sessions SET last_seen_at = created_at WHERE last_seen_at IS NULL;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;

ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;
