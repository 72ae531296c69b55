-- The Bureau's cross-site figures come from monthly per-site rollups:
-- one row per site and month holding that month's raw counts (JSON), made
-- by the scheduler and on first need, never published as they are (the
-- network crate suppresses every answer built from them).
CREATE TABLE site_month_figures (
    site_id UUID NOT NULL REFERENCES sites (id),
    month TEXT NOT NULL,
    figures TEXT NOT NULL,
    refreshed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, month)
);
