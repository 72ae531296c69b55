-- Per-site secret keys, one per purpose, drawn at random the first time
-- they are needed and never exported. `hmis`: the key of the HMIS export's
-- pseudonyms (PersonalID and enrollment ids are keyed hashes of Handoff's
-- ids, stable across exports to the same HMIS). Whoever reads this table
-- can link the HMIS ids back to Handoff's records, like whoever reads the
-- rest of the database.

CREATE TABLE site_keys (
    site_id UUID NOT NULL REFERENCES sites (id),
    purpose TEXT NOT NULL,
    key_hex TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, purpose)
);
