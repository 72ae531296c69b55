-- Handoff platform schema. Portable SQL: the same file runs on SQLite and
-- PostgreSQL. Ids are UUID v7 made by the application; times are UTC.
-- Every table that holds site data carries site_id.

CREATE TABLE sites (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    time_zone TEXT NOT NULL,
    webhook_url TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE agencies (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    agency_id UUID NOT NULL REFERENCES agencies (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step BIGINT,
    is_demo BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    disabled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_site ON users (site_id);

CREATE TABLE user_roles (
    site_id UUID NOT NULL REFERENCES sites (id),
    user_id UUID NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE recovery_codes (
    site_id UUID NOT NULL REFERENCES sites (id),
    user_id UUID NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- The session token itself is never stored: only its SHA-256.
CREATE TABLE sessions (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    user_id UUID NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    mfa_passed BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    client_ip TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    user_id UUID NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

-- Append-only, hash-chained. The application needs INSERT and SELECT only;
-- see ARCHITECTURE.md for the PostgreSQL grants.
CREATE TABLE audit_log (
    id UUID PRIMARY KEY,
    chain UUID NOT NULL,
    seq BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    site_id UUID,
    actor_user_id UUID,
    actor_role TEXT,
    actor_agency_id UUID,
    action TEXT NOT NULL,
    subject_participant_id UUID,
    subject_ref TEXT,
    categories TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request_id TEXT,
    client_ip TEXT,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX audit_log_site_at ON audit_log (site_id, at);
CREATE INDEX audit_log_subject ON audit_log (subject_participant_id);

-- The head of each chain, so removing entries at the end is detected.
CREATE TABLE audit_heads (
    chain UUID PRIMARY KEY,
    seq BIGINT NOT NULL,
    entry_hash TEXT NOT NULL
);
