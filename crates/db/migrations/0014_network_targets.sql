-- Fidelity scorecard targets: network settings the Bureau can change,
-- versioned like site policy (never edited in place; the newest version
-- is in force). Network-wide: a reference table on Citus.
CREATE TABLE network_targets (
    network_id UUID NOT NULL REFERENCES networks (id),
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    note TEXT,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (network_id, version)
);
