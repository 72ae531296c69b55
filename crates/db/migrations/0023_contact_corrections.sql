-- Corrections of contacts (issue 11). A correction is a new version of a
-- contact: the contact row (version 1) and every earlier version stay as
-- they were written, and the record shows the newest version with the
-- others in the contact's history. `note` is the corrected `notes` text
-- (NULL: the note was left as it was); health and substance-use pieces are
-- not corrected here. Who corrected and why is kept with each version.
CREATE TABLE contact_versions (
    id UUID NOT NULL,
    site_id UUID NOT NULL REFERENCES sites (id),
    contact_id UUID NOT NULL REFERENCES contacts (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    version BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    place TEXT NOT NULL,
    services TEXT NOT NULL,
    note TEXT,
    reason TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    -- site_id in every key: a site's rows stay together when distributed.
    PRIMARY KEY (id, site_id),
    UNIQUE (contact_id, version, site_id)
);
CREATE INDEX contact_versions_participant ON contact_versions (site_id, participant_id, contact_id, version);
