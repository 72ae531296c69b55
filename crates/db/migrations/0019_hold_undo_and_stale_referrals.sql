-- A prosecutor's decision on a hold may be undone for a short while after
-- it was recorded: the row stays (who undid it and when), and the hold is
-- rebuilt from the decisions not withdrawn. The audit log keeps both.
ALTER TABLE hold_decisions ADD COLUMN withdrawn_at TIMESTAMPTZ;
ALTER TABLE hold_decisions ADD COLUMN withdrawn_by UUID REFERENCES users (id);

-- A referral nobody took up may be closed by a supervisor with a reason
-- (status `closed`): when, by whom and why. Never a failure state.
ALTER TABLE referrals ADD COLUMN closed_at TIMESTAMPTZ;
ALTER TABLE referrals ADD COLUMN closed_by UUID REFERENCES users (id);
ALTER TABLE referrals ADD COLUMN closed_reason TEXT;
