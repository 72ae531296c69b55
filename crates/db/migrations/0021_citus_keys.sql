-- The LEAD network on Citus (ARCHITECTURE.md, "Distribution on Citus").
-- Portable: both backends run it; PostgreSQL's own 0021
-- (migrations_backend/postgres) then rebuilds the keys around it.
--
-- `users` is a reference table, replicated to every node: one account holds
-- roles in several sites and every site's rows name it. Its `site_id` is
-- the site where the account was made, not the site whose data a row is:
-- renamed so that every table with a `site_id` is a site table.
ALTER TABLE users RENAME COLUMN site_id TO home_site_id;

-- Unique targets that include site_id, on both backends: (id, site_id) on
-- every site table another site table references, so a foreign key between
-- site tables can be written (site_id, x_id) → (site_id, id) in portable
-- SQL; and the conflict targets of upserts, widened by site_id. On
-- PostgreSQL they become the keys; on SQLite they sit beside the old ones.
CREATE UNIQUE INDEX agencies_site_key ON agencies (id, site_id);
CREATE UNIQUE INDEX contacts_site_key ON contacts (id, site_id);
CREATE UNIQUE INDEX coordination_items_site_key ON coordination_items (id, site_id);
CREATE UNIQUE INDEX documents_site_key ON documents (id, site_id);
CREATE UNIQUE INDEX goals_site_key ON goals (id, site_id);
CREATE UNIQUE INDEX holds_site_key ON holds (id, site_id);
CREATE UNIQUE INDEX justice_records_site_key ON justice_records (id, site_id);
CREATE UNIQUE INDEX owg_items_site_key ON owg_items (id, site_id);
CREATE UNIQUE INDEX owg_meetings_site_key ON owg_meetings (id, site_id);
CREATE UNIQUE INDEX participants_site_key ON participants (id, site_id);
CREATE UNIQUE INDEX persons_site_key ON persons (id, site_id);
CREATE UNIQUE INDEX policy_versions_site_key ON policy_versions (id, site_id);
CREATE UNIQUE INDEX referrals_site_key ON referrals (id, site_id);
CREATE UNIQUE INDEX site_areas_site_key ON site_areas (id, site_id);
CREATE UNIQUE INDEX monthly_status_site_key ON monthly_status (participant_id, month, site_id);
CREATE UNIQUE INDEX profiles_site_key ON profiles (participant_id, site_id);
CREATE UNIQUE INDEX notifications_dedupe_site ON notifications (user_id, dedupe_key, site_id);
CREATE UNIQUE INDEX owg_items_dedupe_site ON owg_items (meeting_id, dedupe_key, site_id);
CREATE UNIQUE INDEX link_decisions_candidate_site ON link_decisions (record_id, candidate, site_id);
