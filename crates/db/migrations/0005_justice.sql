-- Justice and outcome data (DESIGN.md §5): records imported from other
-- agencies (arrests, court charges, jail bookings, prison admissions and the
-- comparison roster), each under its natural key per site and kind so a
-- re-import or an overlapping extract updates rather than duplicates; where
-- each came from; and its link to a person the site knows. The typed record
-- is kept whole as JSON text (it is always read whole).
--
-- `candidate` is the best match the linkage engine proposed ("p:<person id>"
-- for a referred person or participant, "r:<record id>" for a comparison
-- roster entry); `link_status` is auto | review | unlinked | accepted |
-- rejected. `person_id`/`roster_id` are set only while the record is linked
-- (auto or accepted), and `participant_id` when that person is a participant.

CREATE TABLE justice_records (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    kind TEXT NOT NULL,
    natural_key TEXT NOT NULL,
    content TEXT NOT NULL,
    digest TEXT NOT NULL,
    event_on TEXT,
    source TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    line BIGINT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    candidate TEXT,
    person_id UUID REFERENCES persons (id),
    roster_id UUID,
    participant_id UUID REFERENCES participants (id),
    link_status TEXT NOT NULL,
    match_probability DOUBLE PRECISION,
    explanation TEXT,
    linked_at TIMESTAMPTZ,
    UNIQUE (site_id, kind, natural_key)
);
CREATE INDEX justice_records_status ON justice_records (site_id, link_status);
CREATE INDEX justice_records_participant ON justice_records (site_id, participant_id);

-- Clerical review: a person's decision on one proposed pair. Kept for good,
-- so the same pair is never asked again.
CREATE TABLE link_decisions (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    record_id UUID NOT NULL REFERENCES justice_records (id),
    candidate TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_by UUID NOT NULL REFERENCES users (id),
    decided_at TIMESTAMPTZ NOT NULL,
    UNIQUE (record_id, candidate)
);
CREATE INDEX link_decisions_site ON link_decisions (site_id, record_id);

-- Each site's trained linkage model (the engine's JSON) and its thresholds.
CREATE TABLE linkage_models (
    site_id UUID PRIMARY KEY REFERENCES sites (id),
    model TEXT NOT NULL,
    auto_threshold DOUBLE PRECISION NOT NULL,
    review_threshold DOUBLE PRECISION NOT NULL,
    trained_on BIGINT NOT NULL,
    trained_at TIMESTAMPTZ NOT NULL
);
