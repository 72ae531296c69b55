-- "On my way, ETA N min": what the case manager who accepted a hand-off
-- tells the referring officer before arriving. Every message is kept (the
-- latest is shown); ids and minutes only, no case content.
CREATE TABLE referral_etas (
    id UUID PRIMARY KEY,
    site_id UUID NOT NULL REFERENCES sites (id),
    referral_id UUID NOT NULL REFERENCES referrals (id),
    sent_by UUID NOT NULL REFERENCES users (id),
    minutes BIGINT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX referral_etas_referral ON referral_etas (site_id, referral_id, sent_at);
