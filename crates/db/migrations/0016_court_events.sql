-- A participant's court dates, outstanding warrants and pre-existing cases,
-- entered by the case manager on the participant record: structured (kind,
-- day, court, case number), never free text. Category `justice`: read
-- through the guard's grant. Days are ISO text (YYYY-MM-DD), as elsewhere.

CREATE TABLE court_events (
    id UUID NOT NULL,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    kind TEXT NOT NULL,
    on_day TEXT NOT NULL,
    court TEXT NOT NULL,
    case_number TEXT NOT NULL,
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    -- site_id in every key: a site's rows stay together when distributed.
    PRIMARY KEY (id, site_id)
);

CREATE INDEX court_events_by_participant ON court_events (site_id, participant_id, on_day);
CREATE INDEX court_events_by_day ON court_events (site_id, on_day);
