-- Keyset paging (crates/store/src/page.rs): every list is read as
-- `WHERE site_id = $1 AND <the list's condition> AND (key, id) < ($k, $id)
-- ORDER BY key, id LIMIT n + 1`. Each index below starts with the list's
-- equality columns and ends with its sort key and id, so a page is one
-- index range walked from the cursor: no OFFSET, no sort, whatever the
-- size of the site.

-- Referrals, newest first: all of a site (supervisors, case management),
-- an officer's own, a status (the inbox, approvals, the state filter) and a
-- case manager's accepted ones.
CREATE INDEX referrals_page ON referrals (site_id, referred_at, id);
CREATE INDEX referrals_page_referrer ON referrals (site_id, referred_by, referred_at, id);
CREATE INDEX referrals_page_status ON referrals (site_id, status, referred_at, id);
CREATE INDEX referrals_page_accepted ON referrals (site_id, accepted_by, referred_at, id);
-- The last two replace these prefixes.
DROP INDEX referrals_site_status;
DROP INDEX referrals_site_referrer;

-- The hold queue, nearest deadline first: all holds (supervisors) and one
-- prosecuting office's.
CREATE INDEX holds_page ON holds (site_id, deadline_at, id);
CREATE INDEX holds_page_office ON holds (site_id, prosecutor_agency_id, deadline_at, id);

-- Caseloads, the longest without contact first: an agency's open cases,
-- one case manager's or the team's.
CREATE INDEX participants_caseload_page ON participants
    (site_id, agency_id, closed, case_manager_id, (COALESCE(last_contact_at, intake_at)), id);

-- The clerical review queue, oldest import first.
CREATE INDEX justice_records_review_page ON justice_records (site_id, link_status, imported_at, id);

-- Admin: a site's users by e-mail address.
CREATE INDEX users_page ON users (site_id, email, id);
