-- The search index (services::casework::search) asks on every search
-- whether a site's names changed since it was built: how many persons
-- (never updated), how many profiles and when one last changed. This
-- index answers the profiles' part without reading any profile.
CREATE INDEX profiles_site_updated ON profiles (site_id, updated_at);
