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

-- The network's published answer for one month (every site's figures and
-- the network's, already suppressed), kept with the key it was built from
-- (each site's id and its rollup's refresh time): reused while the key
-- still matches, so a request suppresses only months whose rollups moved.
-- Network-wide: a reference table on Citus.
CREATE TABLE network_month_figures (
    network_id UUID NOT NULL REFERENCES networks (id),
    month TEXT NOT NULL,
    built_from TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (network_id, month)
);
