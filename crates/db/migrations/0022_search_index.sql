-- The search index (services::casework::search) asks on every search
-- whether a site's names changed since it was built: how many persons
-- (never updated), how many profiles and when one last changed. This
-- index answers the profiles' part without reading any profile.
CREATE INDEX profiles_site_updated ON profiles (site_id, updated_at);
-- The index's candidates are then read by person: their participants and
-- their referrals, never every row of the site.
CREATE INDEX participants_site_person ON participants (site_id, person_id);
CREATE INDEX referrals_site_person ON referrals (site_id, person_id);
