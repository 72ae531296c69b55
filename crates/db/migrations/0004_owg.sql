-- The Operational Work Group: meetings, attendees, agenda items built from
-- events or raised by members, minutes per item, and action items. An item
-- about a participant names the data category it reveals, so each
-- attendee's copy shows only what the disclosure engine allows them.
-- Prosecutorial coordination: a new charge against a participant opens a
-- thread between the liaison prosecutor and case management.

CREATE TABLE owg_meetings (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX owg_meetings_site ON owg_meetings (site_id, held_on);

CREATE TABLE owg_attendees (
    site_id UUID NOT NULL REFERENCES sites (id),
    meeting_id UUID NOT NULL REFERENCES owg_meetings (id),
    user_id UUID NOT NULL REFERENCES users (id),
    PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE owg_items (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    meeting_id UUID NOT NULL REFERENCES owg_meetings (id),
    seq BIGINT NOT NULL,
    source TEXT NOT NULL,
    participant_id UUID REFERENCES participants (id),
    referral_id UUID REFERENCES referrals (id),
    category TEXT,
    detail TEXT,
    body TEXT,
    raised_by UUID REFERENCES users (id),
    minutes TEXT,
    minutes_by UUID REFERENCES users (id),
    minutes_at TIMESTAMPTZ,
    dedupe_key TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (meeting_id, seq),
    UNIQUE (meeting_id, dedupe_key)
);

CREATE TABLE owg_actions (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    item_id UUID NOT NULL REFERENCES owg_items (id),
    owner_id UUID NOT NULL REFERENCES users (id),
    due_on TEXT NOT NULL,
    description TEXT NOT NULL,
    done_at TIMESTAMPTZ,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX owg_actions_owner ON owg_actions (site_id, owner_id, done_at);

CREATE TABLE coordination_items (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    participant_id UUID NOT NULL REFERENCES participants (id),
    prosecutor_agency_id UUID NOT NULL REFERENCES agencies (id),
    charge TEXT NOT NULL,
    case_number TEXT,
    opened_by UUID REFERENCES users (id),
    opened_at TIMESTAMPTZ NOT NULL,
    decision TEXT,
    decision_note TEXT,
    decided_by UUID REFERENCES users (id),
    decided_at TIMESTAMPTZ
);
CREATE INDEX coordination_site ON coordination_items (site_id, participant_id);

CREATE TABLE coordination_messages (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    item_id UUID NOT NULL REFERENCES coordination_items (id),
    author_id UUID NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
