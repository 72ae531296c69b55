-- PostgreSQL only (see db.rs, `Store::migrate`): the keys of every site
-- table include `site_id`, so the schema can be distributed by site on
-- Citus without changes (ARCHITECTURE.md, "Distribution on Citus";
-- crates/store/tests/citus_ready.rs reads the catalog and refuses any key
-- that breaks the rule). SQLite keeps its keys: the portable 0021 made the
-- (…, site_id) unique targets there too, so statements and future portable
-- foreign keys name the same columns on both backends.
--
-- Every key keeps its columns and gains `site_id` last, so each query that
-- used the old key (a look-up by id alone, a conflict target) is still one
-- index probe. Foreign keys between site tables become (site_id, x_id) →
-- (site_id, id): a row can only name a row of its own site. Keys into
-- reference tables (`sites`, `users`, `networks`) are unchanged.

-- 1. Foreign keys between site tables go first: they hold the old keys.
-- Found in the catalog (every foreign key from a table with site_id to a
-- table with site_id that does not join site_id: the 44 of 0001–0020 and
-- any a later portable migration wrote before this one ran on a fresh
-- database), noted, dropped, and written back composite in step 5.
CREATE TEMP TABLE site_fks ON COMMIT DROP AS
SELECT con.conname::text AS name, c.relname::text AS tbl, rc.relname::text AS ref_tbl,
       con.confupdtype, con.confdeltype, con.condeferrable,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS cols,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) AS ref_cols
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_class rc ON rc.oid = con.confrelid
WHERE con.contype = 'f' AND c.relnamespace = current_schema()::regnamespace
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'site_id' AND NOT a.attisdropped)
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = rc.oid AND a.attname = 'site_id' AND NOT a.attisdropped)
  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'site_id'
                  AND a.attnum = ANY (con.conkey));

DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM site_fks ORDER BY tbl, name LOOP
        -- Written back as plain NO ACTION keys: refuse to lose anything else.
        IF r.confupdtype <> 'a' OR r.confdeltype <> 'a' OR r.condeferrable THEN
            RAISE EXCEPTION 'foreign key % on %: ON UPDATE/DELETE actions or DEFERRABLE are not rebuilt', r.name, r.tbl;
        END IF;
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, r.name);
    END LOOP;
END
$$;

ALTER TABLE users DROP CONSTRAINT users_agency_id_fkey;

-- `users` is a reference table (replicated to every node), and a reference
-- table cannot keep a foreign key into a site table (`agencies`): the
-- account's organisation is checked where it is chosen
-- (services::accounts::create_user, "no such agency at this site"), as the
-- user of a role in another site (`site_roles`) already is.

-- 2. Primary keys: (id) becomes (id, site_id). Where the portable 0021
-- made the unique index (id, site_id), it becomes the key.
ALTER TABLE agencies DROP CONSTRAINT agencies_pkey, ADD CONSTRAINT agencies_pkey PRIMARY KEY USING INDEX agencies_site_key;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE assignments DROP CONSTRAINT assignments_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE contact_notes DROP CONSTRAINT contact_notes_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE contacts DROP CONSTRAINT contacts_pkey, ADD CONSTRAINT contacts_pkey PRIMARY KEY USING INDEX contacts_site_key;
ALTER TABLE coordination_items DROP CONSTRAINT coordination_items_pkey, ADD CONSTRAINT coordination_items_pkey PRIMARY KEY USING INDEX coordination_items_site_key;
ALTER TABLE coordination_messages DROP CONSTRAINT coordination_messages_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE documents DROP CONSTRAINT documents_pkey, ADD CONSTRAINT documents_pkey PRIMARY KEY USING INDEX documents_site_key;
ALTER TABLE eligible_arrests DROP CONSTRAINT eligible_arrests_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE evaluation_runs DROP CONSTRAINT evaluation_runs_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE goals DROP CONSTRAINT goals_pkey, ADD CONSTRAINT goals_pkey PRIMARY KEY USING INDEX goals_site_key;
ALTER TABLE hold_decisions DROP CONSTRAINT hold_decisions_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE holds DROP CONSTRAINT holds_pkey, ADD CONSTRAINT holds_pkey PRIMARY KEY USING INDEX holds_site_key;
ALTER TABLE intakes DROP CONSTRAINT intakes_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE justice_records DROP CONSTRAINT justice_records_pkey, ADD CONSTRAINT justice_records_pkey PRIMARY KEY USING INDEX justice_records_site_key;
ALTER TABLE link_decisions DROP CONSTRAINT link_decisions_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE notifications DROP CONSTRAINT notifications_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE owg_actions DROP CONSTRAINT owg_actions_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE owg_items DROP CONSTRAINT owg_items_pkey, ADD CONSTRAINT owg_items_pkey PRIMARY KEY USING INDEX owg_items_site_key;
ALTER TABLE owg_meetings DROP CONSTRAINT owg_meetings_pkey, ADD CONSTRAINT owg_meetings_pkey PRIMARY KEY USING INDEX owg_meetings_site_key;
ALTER TABLE participants DROP CONSTRAINT participants_pkey, ADD CONSTRAINT participants_pkey PRIMARY KEY USING INDEX participants_site_key;
ALTER TABLE participation_events DROP CONSTRAINT participation_events_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE persons DROP CONSTRAINT persons_pkey, ADD CONSTRAINT persons_pkey PRIMARY KEY USING INDEX persons_site_key;
ALTER TABLE policy_versions DROP CONSTRAINT policy_versions_pkey, ADD CONSTRAINT policy_versions_pkey PRIMARY KEY USING INDEX policy_versions_site_key;
ALTER TABLE program_costs DROP CONSTRAINT program_costs_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE referral_etas DROP CONSTRAINT referral_etas_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE referrals DROP CONSTRAINT referrals_pkey, ADD CONSTRAINT referrals_pkey PRIMARY KEY USING INDEX referrals_site_key;
ALTER TABLE releases DROP CONSTRAINT releases_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE roster_shifts DROP CONSTRAINT roster_shifts_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE service_referrals DROP CONSTRAINT service_referrals_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE shift_schedules DROP CONSTRAINT shift_schedules_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE site_areas DROP CONSTRAINT site_areas_pkey, ADD CONSTRAINT site_areas_pkey PRIMARY KEY USING INDEX site_areas_site_key;
ALTER TABLE triages DROP CONSTRAINT triages_pkey, ADD PRIMARY KEY (id, site_id);
ALTER TABLE monthly_status DROP CONSTRAINT monthly_status_pkey,
    ADD CONSTRAINT monthly_status_pkey PRIMARY KEY USING INDEX monthly_status_site_key;
ALTER TABLE profiles DROP CONSTRAINT profiles_pkey,
    ADD CONSTRAINT profiles_pkey PRIMARY KEY USING INDEX profiles_site_key;
ALTER TABLE user_roles DROP CONSTRAINT user_roles_pkey, ADD PRIMARY KEY (user_id, role, site_id);
ALTER TABLE recovery_codes DROP CONSTRAINT recovery_codes_pkey, ADD PRIMARY KEY (user_id, code_hash, site_id);
ALTER TABLE owg_attendees DROP CONSTRAINT owg_attendees_pkey, ADD PRIMARY KEY (meeting_id, user_id, site_id);

-- 3. Unique constraints gain site_id. A session or API token is found by
-- the digest of its secret before its site is known: (token_hash, site_id)
-- still serves that look-up (on Citus, one probe per shard).
ALTER TABLE sessions DROP CONSTRAINT sessions_token_hash_key, ADD UNIQUE (token_hash, site_id);
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_token_hash_key, ADD UNIQUE (token_hash, site_id);
ALTER TABLE holds DROP CONSTRAINT holds_referral_id_key, ADD UNIQUE (referral_id, site_id);
ALTER TABLE intakes DROP CONSTRAINT intakes_referral_id_key, ADD UNIQUE (referral_id, site_id);
ALTER TABLE hold_decisions DROP CONSTRAINT hold_decisions_hold_id_seq_key, ADD UNIQUE (hold_id, seq, site_id);
ALTER TABLE owg_items DROP CONSTRAINT owg_items_meeting_id_seq_key, ADD UNIQUE (meeting_id, seq, site_id);
ALTER TABLE participation_events DROP CONSTRAINT participation_events_participant_id_seq_key,
    ADD UNIQUE (participant_id, seq, site_id);
-- Conflict targets: the portable 0021's unique indexes (…, site_id) take over.
ALTER TABLE notifications DROP CONSTRAINT notifications_user_id_dedupe_key_key;
ALTER TABLE owg_items DROP CONSTRAINT owg_items_meeting_id_dedupe_key_key;
ALTER TABLE link_decisions DROP CONSTRAINT link_decisions_record_id_candidate_key;

-- 4. The audit log is distributed by its chain (the site's id; the nil id
-- for the system chain, whose entries name no site): the key gains the
-- chain, and a site's entries can only be on its own chain.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey, ADD PRIMARY KEY (id, chain);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_chain_is_site CHECK (site_id IS NULL OR chain = site_id);

-- 5. The foreign keys of step 1, composite: (site_id, x_id) → (site_id, id).
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM site_fks ORDER BY tbl, name LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (site_id, %s) REFERENCES %I (site_id, %s)',
            r.tbl, r.name,
            (SELECT string_agg(format('%I', c), ', ') FROM unnest(r.cols) c),
            r.ref_tbl,
            (SELECT string_agg(format('%I', c), ', ') FROM unnest(r.ref_cols) c));
    END LOOP;
END
$$;
