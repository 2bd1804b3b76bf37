-- Sign-in through OAuth2/OpenID Connect providers.
-- An account made through a provider has no password: its password_hash is ''.

-- Provider identities, keyed by who vouches for them (issuer) and their id there (subject).
CREATE TABLE identities (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider   TEXT NOT NULL,
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    email      TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX identities_issuer_subject_key ON identities (issuer, subject);
CREATE INDEX identities_user_idx ON identities (user_id);

-- Sign-ins under way: the hash of their `state`, taken (deleted) once by the callback.
CREATE TABLE oauth_flows (
    state_hash    BYTEA PRIMARY KEY,
    browser_hash  BYTEA NOT NULL,
    provider      TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    next          TEXT NOT NULL,
    link_user_id  UUID REFERENCES users (id) ON DELETE CASCADE,
    expires_at    TIMESTAMPTZ NOT NULL
);

ALTER TABLE users ADD COLUMN avatar_url TEXT;

-- Instance-wide switches set by admins.
CREATE TABLE instance_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
