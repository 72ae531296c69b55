-- Evidence from the site's own data (issue 13).
--
-- `shift_schedules`: the site's diversion-on/off schedule as the PCG adopted
-- it, one immutable row per version (the latest in force from its
-- `starts_on`): `method` random (each day or shift drawn from `seed`, a
-- share `on_percent` diversion-on) or rota (`rota`, a JSON list of on/off
-- cycling from `starts_on`); `unit` day or shift (two shifts a day, 07:00
-- and 19:00 in the site's time zone).
CREATE TABLE shift_schedules (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    version BIGINT NOT NULL,
    method TEXT NOT NULL,
    unit TEXT NOT NULL,
    seed BIGINT,
    on_percent BIGINT,
    rota TEXT,
    starts_on TEXT NOT NULL,
    adopted_on TEXT NOT NULL,
    note TEXT,
    recorded_by UUID NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, version)
);

-- The eligible-but-booked log: arrests of eligible people that were not
-- diverted (diversion-off shift, declined, not offered). The comparison
-- cohort of the evaluation and the booked side of the oversight RRI; never
-- a referral, never shown to case management. Name and date of birth only
-- when known, for linking justice records.
CREATE TABLE eligible_arrests (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    incident_number TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    offenses TEXT NOT NULL,
    location TEXT NOT NULL,
    area TEXT,
    race TEXT NOT NULL,
    sex TEXT NOT NULL,
    approx_age BIGINT,
    dob TEXT,
    first_name TEXT,
    last_name TEXT,
    reason TEXT NOT NULL,
    diversion_on BOOLEAN,
    schedule_version BIGINT,
    logged_by UUID NOT NULL REFERENCES users (id),
    agency_id UUID NOT NULL REFERENCES agencies (id),
    logged_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, incident_number)
);
CREATE INDEX eligible_arrests_site ON eligible_arrests (site_id, occurred_at);

-- Programme spending by period and category. Append-only: recording the
-- same period and category again is a new version that supersedes the
-- earlier ones; every version keeps who recorded it and when.
CREATE TABLE program_costs (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    note TEXT,
    version BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, period_start, period_end, category, version)
);

-- Evaluation runs: the export and the engine in one step, kept with their
-- parameters so quarters can be compared. `results` is results.json,
-- `report` the rendered report body; `refusal` says in plain words why a
-- run could not be made.
CREATE TABLE evaluation_runs (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    requested_by UUID NOT NULL REFERENCES users (id),
    from_on TEXT NOT NULL,
    to_on TEXT NOT NULL,
    status TEXT NOT NULL,
    progress TEXT NOT NULL,
    n_lead BIGINT,
    n_control BIGINT,
    results TEXT,
    report TEXT,
    refusal TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX evaluation_runs_site ON evaluation_runs (site_id, created_at);
