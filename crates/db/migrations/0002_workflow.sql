-- The diversion workflow: versioned eligibility policy, referred persons,
-- referrals through three doors, diversion holds and the prosecutor's
-- decisions, triage, intake, participants, releases of information,
-- documents, the on-call roster and notifications. Nested content that is
-- always read whole is kept as JSON text (portable across both backends).

ALTER TABLE users ADD COLUMN can_approve BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE policy_versions (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    note TEXT,
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (site_id, version)
);

CREATE TABLE persons (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    aliases TEXT NOT NULL,
    dob TEXT,
    approx_age BIGINT,
    sex TEXT NOT NULL,
    race TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX persons_site ON persons (site_id, last_name);

CREATE TABLE referrals (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    door TEXT NOT NULL,
    status TEXT NOT NULL,
    person_id UUID NOT NULL REFERENCES persons (id),
    referred_by UUID NOT NULL REFERENCES users (id),
    referrer_agency_id UUID NOT NULL REFERENCES agencies (id),
    incident_number TEXT,
    body TEXT NOT NULL,
    place TEXT,
    occurred_at TIMESTAMPTZ NOT NULL,
    referred_at TIMESTAMPTZ NOT NULL,
    policy_version_id UUID NOT NULL REFERENCES policy_versions (id),
    eligible BOOLEAN NOT NULL,
    screening TEXT NOT NULL,
    approved_at TIMESTAMPTZ,
    approved_by UUID REFERENCES users (id),
    accepted_at TIMESTAMPTZ,
    accepted_by UUID REFERENCES users (id),
    case_agency_id UUID REFERENCES agencies (id),
    triage_started_at TIMESTAMPTZ,
    intake_completed_at TIMESTAMPTZ,
    enrolled_at TIMESTAMPTZ,
    escalated_at TIMESTAMPTZ,
    participant_id UUID
);
CREATE INDEX referrals_site_status ON referrals (site_id, status);
CREATE INDEX referrals_site_referrer ON referrals (site_id, referred_by);

CREATE TABLE holds (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    referral_id UUID NOT NULL UNIQUE REFERENCES referrals (id),
    prosecutor_agency_id UUID REFERENCES agencies (id),
    referred_at TIMESTAMPTZ NOT NULL,
    window_days BIGINT NOT NULL,
    deadline TEXT NOT NULL,
    deadline_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL,
    satisfied_at TIMESTAMPTZ,
    lapsed_at TIMESTAMPTZ,
    last_reminder TEXT
);
CREATE INDEX holds_site_state ON holds (site_id, state, deadline_at);

CREATE TABLE hold_decisions (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    hold_id UUID NOT NULL REFERENCES holds (id),
    seq BIGINT NOT NULL,
    decision TEXT NOT NULL,
    note TEXT NOT NULL,
    decided_by UUID NOT NULL REFERENCES users (id),
    decided_at TIMESTAMPTZ NOT NULL,
    UNIQUE (hold_id, seq)
);

CREATE TABLE participants (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    referral_id UUID REFERENCES referrals (id),
    agency_id UUID NOT NULL REFERENCES agencies (id),
    case_manager_id UUID REFERENCES users (id),
    intake_at TIMESTAMPTZ NOT NULL,
    enrolled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX participants_site ON participants (site_id, case_manager_id);

CREATE TABLE triages (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    referral_id UUID NOT NULL REFERENCES referrals (id),
    content TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

-- Intake content is split by data category so disclosure can be decided
-- per category: general (housing, income, legal, documents), health, sud,
-- and the participant's own goals (plan).
CREATE TABLE intakes (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    referral_id UUID NOT NULL UNIQUE REFERENCES referrals (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    living_situation TEXT NOT NULL,
    general TEXT NOT NULL,
    health TEXT NOT NULL,
    sud TEXT NOT NULL,
    goals TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE documents (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID REFERENCES participants (id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_participant ON documents (site_id, participant_id);

CREATE TABLE releases (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    content TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    revoked_at TIMESTAMPTZ,
    signature_document_id UUID REFERENCES documents (id),
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX releases_participant ON releases (site_id, participant_id);

CREATE TABLE roster_shifts (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    user_id UUID NOT NULL REFERENCES users (id),
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX roster_site_time ON roster_shifts (site_id, starts_at, ends_at);

-- What a user is told: new hand-offs, escalations, hold reminders. Only ids
-- and a kind are stored; the text is rendered for the reader.
CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    user_id UUID NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    referral_id UUID REFERENCES referrals (id),
    hold_id UUID REFERENCES holds (id),
    dedupe_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications (site_id, user_id, read_at);
