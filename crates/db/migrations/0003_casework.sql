-- Casework: contacts (encounters) with their pieces tagged by data
-- category, the participant's own goals with steps, service referrals to
-- providers, the monthly status behind the within-subject evaluation,
-- closings and reopenings of a case, changes of case manager, and profile
-- extras (identifiers, contact details, where to find the person).

-- Kept on the participant so caseloads sort without scanning contacts.
ALTER TABLE participants ADD COLUMN last_contact_at TIMESTAMPTZ;
ALTER TABLE participants ADD COLUMN closed BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE contacts (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    occurred_at TIMESTAMPTZ NOT NULL,
    duration_minutes BIGINT NOT NULL,
    place TEXT NOT NULL,
    staff_role TEXT NOT NULL,
    services TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_participant ON contacts (site_id, participant_id, occurred_at);

-- The free text of a contact, one row per piece, each with its category
-- (notes, health or sud) so disclosure is decided per piece.
CREATE TABLE contact_notes (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    contact_id UUID NOT NULL REFERENCES contacts (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    category TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX contact_notes_participant ON contact_notes (site_id, participant_id, category);

CREATE TABLE goals (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    words TEXT NOT NULL,
    status TEXT NOT NULL,
    steps TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX goals_participant ON goals (site_id, participant_id);

CREATE TABLE service_referrals (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    goal_id UUID REFERENCES goals (id),
    provider TEXT NOT NULL,
    service TEXT NOT NULL,
    referred_on TEXT NOT NULL,
    outcome TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX service_referrals_participant ON service_referrals (site_id, participant_id);

-- One row per participant-month (YYYY-MM). `source` is intake, contact or
-- explicit; an explicit update is never overwritten by what a contact says.
CREATE TABLE monthly_status (
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    month TEXT NOT NULL,
    living_situation TEXT,
    housing TEXT,
    employment TEXT,
    income_benefits BOOLEAN,
    source TEXT NOT NULL,
    updated_by UUID REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (participant_id, month)
);
CREATE INDEX monthly_status_site ON monthly_status (site_id, month);

CREATE TABLE participation_events (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    seq BIGINT NOT NULL,
    event TEXT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (participant_id, seq)
);

CREATE TABLE assignments (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    from_user_id UUID REFERENCES users (id),
    to_user_id UUID REFERENCES users (id),
    warnings TEXT NOT NULL,
    assigned_by UUID NOT NULL REFERENCES users (id),
    assigned_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX assignments_participant ON assignments (site_id, participant_id);

-- Identifiers (booking numbers, state id), extra aliases, phone, e-mail
-- and where to find the person (places and times), as JSON.
CREATE TABLE profiles (
    participant_id UUID PRIMARY KEY REFERENCES participants (id),
    site_id UUID NOT NULL REFERENCES sites (id),
    content TEXT NOT NULL,
    updated_by UUID NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);
