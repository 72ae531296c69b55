-- The participants a list, agenda, search or export showed, named in one
-- audit entry (comma-separated ids; NULL for entries about one participant
-- or none). Hashed only when present, so earlier entries keep their hashes.
ALTER TABLE audit_log ADD COLUMN participant_ids TEXT;
