-- Idempotent referral creation: the token a form or API client sends with
-- a referral (NULL when none). One referral per (site, referrer, token):
-- a repeated submission returns the first instead of filing a second.
ALTER TABLE referrals ADD COLUMN client_token TEXT;
CREATE UNIQUE INDEX referrals_client_token ON referrals (site_id, referred_by, client_token);
-- The earlier referrals of the site with the same incident number when
-- this one was filed (comma-separated ids; NULL when none): flagged as a
-- possible duplicate, never refused.
ALTER TABLE referrals ADD COLUMN possible_duplicate_of TEXT;
CREATE INDEX referrals_incident_number ON referrals (site_id, incident_number);
