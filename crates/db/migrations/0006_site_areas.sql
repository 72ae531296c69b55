-- The site's defined areas (precincts, sectors, neighbourhoods): the only
-- place labels that oversight figures print. A referral names one of them
-- (`area_id`), chosen from this list; the free-text address it also carries
-- is never a figure's label.

CREATE TABLE site_areas (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, name)
);

ALTER TABLE referrals ADD COLUMN area_id UUID REFERENCES site_areas (id);
