-- API tokens become integration principals of their own: named, owned by an
-- agency, with explicit scopes and an expiry; never a user's identity
-- (DESIGN.md §3, "integration"). Tokens that acted as a user cannot be
-- converted (they name no agency and no scope): they are dropped, and the
-- site admin mints scoped tokens in their place.
DROP TABLE api_tokens;

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    agency_id UUID NOT NULL REFERENCES agencies (id),
    name TEXT NOT NULL,
    -- Scope names separated by single spaces (handoff_domain::integration::Scope).
    scopes TEXT NOT NULL,
    -- SHA-256 of the secret; the secret itself is shown once and never stored.
    token_hash TEXT NOT NULL UNIQUE,
    -- The site admin who minted it (NULL: the operator at the command line).
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_site ON api_tokens (site_id, created_at);

-- The audit log names a token that acted as the actor, not a user.
ALTER TABLE audit_log ADD COLUMN actor_token_id UUID;
