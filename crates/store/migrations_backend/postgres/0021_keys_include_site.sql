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
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_agency_id_fkey;
ALTER TABLE assignments DROP CONSTRAINT assignments_participant_id_fkey;
ALTER TABLE contact_notes DROP CONSTRAINT contact_notes_contact_id_fkey;
ALTER TABLE contact_notes DROP CONSTRAINT contact_notes_participant_id_fkey;
ALTER TABLE contacts DROP CONSTRAINT contacts_participant_id_fkey;
ALTER TABLE coordination_items DROP CONSTRAINT coordination_items_participant_id_fkey;
ALTER TABLE coordination_items DROP CONSTRAINT coordination_items_prosecutor_agency_id_fkey;
ALTER TABLE coordination_messages DROP CONSTRAINT coordination_messages_item_id_fkey;
ALTER TABLE documents DROP CONSTRAINT documents_participant_id_fkey;
ALTER TABLE eligible_arrests DROP CONSTRAINT eligible_arrests_agency_id_fkey;
ALTER TABLE goals DROP CONSTRAINT goals_participant_id_fkey;
ALTER TABLE hold_decisions DROP CONSTRAINT hold_decisions_hold_id_fkey;
ALTER TABLE holds DROP CONSTRAINT holds_prosecutor_agency_id_fkey;
ALTER TABLE holds DROP CONSTRAINT holds_referral_id_fkey;
ALTER TABLE intakes DROP CONSTRAINT intakes_participant_id_fkey;
ALTER TABLE intakes DROP CONSTRAINT intakes_referral_id_fkey;
ALTER TABLE justice_records DROP CONSTRAINT justice_records_participant_id_fkey;
ALTER TABLE justice_records DROP CONSTRAINT justice_records_person_id_fkey;
ALTER TABLE link_decisions DROP CONSTRAINT link_decisions_record_id_fkey;
ALTER TABLE monthly_status DROP CONSTRAINT monthly_status_participant_id_fkey;
ALTER TABLE notifications DROP CONSTRAINT notifications_hold_id_fkey;
ALTER TABLE notifications DROP CONSTRAINT notifications_referral_id_fkey;
ALTER TABLE owg_actions DROP CONSTRAINT owg_actions_item_id_fkey;
ALTER TABLE owg_attendees DROP CONSTRAINT owg_attendees_meeting_id_fkey;
ALTER TABLE owg_items DROP CONSTRAINT owg_items_meeting_id_fkey;
ALTER TABLE owg_items DROP CONSTRAINT owg_items_participant_id_fkey;
ALTER TABLE owg_items DROP CONSTRAINT owg_items_referral_id_fkey;
ALTER TABLE participants DROP CONSTRAINT participants_agency_id_fkey;
ALTER TABLE participants DROP CONSTRAINT participants_person_id_fkey;
ALTER TABLE participants DROP CONSTRAINT participants_referral_id_fkey;
ALTER TABLE participation_events DROP CONSTRAINT participation_events_participant_id_fkey;
ALTER TABLE profiles DROP CONSTRAINT profiles_participant_id_fkey;
ALTER TABLE referral_etas DROP CONSTRAINT referral_etas_referral_id_fkey;
ALTER TABLE referrals DROP CONSTRAINT referrals_area_id_fkey;
ALTER TABLE referrals DROP CONSTRAINT referrals_case_agency_id_fkey;
ALTER TABLE referrals DROP CONSTRAINT referrals_person_id_fkey;
ALTER TABLE referrals DROP CONSTRAINT referrals_policy_version_id_fkey;
ALTER TABLE referrals DROP CONSTRAINT referrals_referrer_agency_id_fkey;
ALTER TABLE releases DROP CONSTRAINT releases_participant_id_fkey;
ALTER TABLE releases DROP CONSTRAINT releases_signature_document_id_fkey;
ALTER TABLE service_referrals DROP CONSTRAINT service_referrals_goal_id_fkey;
ALTER TABLE service_referrals DROP CONSTRAINT service_referrals_participant_id_fkey;
ALTER TABLE site_roles DROP CONSTRAINT site_roles_agency_id_fkey;
ALTER TABLE triages DROP CONSTRAINT triages_referral_id_fkey;
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

-- 5. Foreign keys between site tables, composite: (site_id, x_id) → (site_id, id).
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_agency_id_fkey FOREIGN KEY (site_id, agency_id) REFERENCES agencies (site_id, id);
ALTER TABLE assignments ADD CONSTRAINT assignments_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE contact_notes ADD CONSTRAINT contact_notes_contact_id_fkey FOREIGN KEY (site_id, contact_id) REFERENCES contacts (site_id, id);
ALTER TABLE contact_notes ADD CONSTRAINT contact_notes_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE contacts ADD CONSTRAINT contacts_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE coordination_items ADD CONSTRAINT coordination_items_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE coordination_items ADD CONSTRAINT coordination_items_prosecutor_agency_id_fkey FOREIGN KEY (site_id, prosecutor_agency_id) REFERENCES agencies (site_id, id);
ALTER TABLE coordination_messages ADD CONSTRAINT coordination_messages_item_id_fkey FOREIGN KEY (site_id, item_id) REFERENCES coordination_items (site_id, id);
ALTER TABLE documents ADD CONSTRAINT documents_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE eligible_arrests ADD CONSTRAINT eligible_arrests_agency_id_fkey FOREIGN KEY (site_id, agency_id) REFERENCES agencies (site_id, id);
ALTER TABLE goals ADD CONSTRAINT goals_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE hold_decisions ADD CONSTRAINT hold_decisions_hold_id_fkey FOREIGN KEY (site_id, hold_id) REFERENCES holds (site_id, id);
ALTER TABLE holds ADD CONSTRAINT holds_prosecutor_agency_id_fkey FOREIGN KEY (site_id, prosecutor_agency_id) REFERENCES agencies (site_id, id);
ALTER TABLE holds ADD CONSTRAINT holds_referral_id_fkey FOREIGN KEY (site_id, referral_id) REFERENCES referrals (site_id, id);
ALTER TABLE intakes ADD CONSTRAINT intakes_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE intakes ADD CONSTRAINT intakes_referral_id_fkey FOREIGN KEY (site_id, referral_id) REFERENCES referrals (site_id, id);
ALTER TABLE justice_records ADD CONSTRAINT justice_records_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE justice_records ADD CONSTRAINT justice_records_person_id_fkey FOREIGN KEY (site_id, person_id) REFERENCES persons (site_id, id);
ALTER TABLE link_decisions ADD CONSTRAINT link_decisions_record_id_fkey FOREIGN KEY (site_id, record_id) REFERENCES justice_records (site_id, id);
ALTER TABLE monthly_status ADD CONSTRAINT monthly_status_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE notifications ADD CONSTRAINT notifications_hold_id_fkey FOREIGN KEY (site_id, hold_id) REFERENCES holds (site_id, id);
ALTER TABLE notifications ADD CONSTRAINT notifications_referral_id_fkey FOREIGN KEY (site_id, referral_id) REFERENCES referrals (site_id, id);
ALTER TABLE owg_actions ADD CONSTRAINT owg_actions_item_id_fkey FOREIGN KEY (site_id, item_id) REFERENCES owg_items (site_id, id);
ALTER TABLE owg_attendees ADD CONSTRAINT owg_attendees_meeting_id_fkey FOREIGN KEY (site_id, meeting_id) REFERENCES owg_meetings (site_id, id);
ALTER TABLE owg_items ADD CONSTRAINT owg_items_meeting_id_fkey FOREIGN KEY (site_id, meeting_id) REFERENCES owg_meetings (site_id, id);
ALTER TABLE owg_items ADD CONSTRAINT owg_items_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE owg_items ADD CONSTRAINT owg_items_referral_id_fkey FOREIGN KEY (site_id, referral_id) REFERENCES referrals (site_id, id);
ALTER TABLE participants ADD CONSTRAINT participants_agency_id_fkey FOREIGN KEY (site_id, agency_id) REFERENCES agencies (site_id, id);
ALTER TABLE participants ADD CONSTRAINT participants_person_id_fkey FOREIGN KEY (site_id, person_id) REFERENCES persons (site_id, id);
ALTER TABLE participants ADD CONSTRAINT participants_referral_id_fkey FOREIGN KEY (site_id, referral_id) REFERENCES referrals (site_id, id);
ALTER TABLE participation_events ADD CONSTRAINT participation_events_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE profiles ADD CONSTRAINT profiles_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE referral_etas ADD CONSTRAINT referral_etas_referral_id_fkey FOREIGN KEY (site_id, referral_id) REFERENCES referrals (site_id, id);
ALTER TABLE referrals ADD CONSTRAINT referrals_area_id_fkey FOREIGN KEY (site_id, area_id) REFERENCES site_areas (site_id, id);
ALTER TABLE referrals ADD CONSTRAINT referrals_case_agency_id_fkey FOREIGN KEY (site_id, case_agency_id) REFERENCES agencies (site_id, id);
ALTER TABLE referrals ADD CONSTRAINT referrals_person_id_fkey FOREIGN KEY (site_id, person_id) REFERENCES persons (site_id, id);
ALTER TABLE referrals ADD CONSTRAINT referrals_policy_version_id_fkey FOREIGN KEY (site_id, policy_version_id) REFERENCES policy_versions (site_id, id);
ALTER TABLE referrals ADD CONSTRAINT referrals_referrer_agency_id_fkey FOREIGN KEY (site_id, referrer_agency_id) REFERENCES agencies (site_id, id);
ALTER TABLE releases ADD CONSTRAINT releases_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE releases ADD CONSTRAINT releases_signature_document_id_fkey FOREIGN KEY (site_id, signature_document_id) REFERENCES documents (site_id, id);
ALTER TABLE service_referrals ADD CONSTRAINT service_referrals_goal_id_fkey FOREIGN KEY (site_id, goal_id) REFERENCES goals (site_id, id);
ALTER TABLE service_referrals ADD CONSTRAINT service_referrals_participant_id_fkey FOREIGN KEY (site_id, participant_id) REFERENCES participants (site_id, id);
ALTER TABLE site_roles ADD CONSTRAINT site_roles_agency_id_fkey FOREIGN KEY (site_id, agency_id) REFERENCES agencies (site_id, id);
ALTER TABLE triages ADD CONSTRAINT triages_referral_id_fkey FOREIGN KEY (site_id, referral_id) REFERENCES referrals (site_id, id);
