-- One deployment, many sites: a network (a state programme, or the
-- Bureau's hosted sites) holds sites; its staff belong to the network, not
-- to a site; a person may hold roles in more than one site and a session
-- acts in exactly one of them at a time.

-- Network-wide (a reference table on Citus).
CREATE TABLE networks (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE sites ADD COLUMN network_id UUID REFERENCES networks (id);

-- The network's staff (today: the Bureau role). Network-wide, like
-- networks; a member's account row stays where it was made.
CREATE TABLE network_members (
    network_id UUID NOT NULL REFERENCES networks (id),
    user_id UUID NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (network_id, user_id, role)
);
CREATE INDEX network_members_user ON network_members (user_id);

-- Roles a person holds in a site other than the one their account was
-- made in, with the organisation they act for there. Keyed by the site
-- (co-located with the site's rows); the user may live in another site's
-- shard, so user_id is checked by the application, not a foreign key.
CREATE TABLE site_roles (
    site_id UUID NOT NULL REFERENCES sites (id),
    user_id UUID NOT NULL,
    agency_id UUID NOT NULL REFERENCES agencies (id),
    role TEXT NOT NULL,
    can_approve BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, user_id, role)
);
CREATE INDEX site_roles_user ON site_roles (user_id);

-- The site a session acts in when it is not the account's own (NULL: the
-- account's own site). Sessions stay keyed by the account's site, so
-- "sign out everywhere" and disabling still end every one of them.
ALTER TABLE sessions ADD COLUMN acting_site_id UUID REFERENCES sites (id);
