-- Referrals: a care's case worker refers the person helped to an agency of the province's directory;
-- each referral is a step of the care plan (its follow-up, numbered within the hand-off) waiting for
-- the agency's answer by its due time.
CREATE TABLE referrals (
    handoff_id     text NOT NULL REFERENCES handoffs (handoff_id) ON DELETE CASCADE,
    number         integer NOT NULL CHECK (number >= 1), -- its follow-up's number
    agency_id      integer REFERENCES agencies (id),
    agency_kind    text NOT NULL
        CHECK (agency_kind IN ('OSCC', 'CHILDRENS_HOME', 'SHELTER', 'LEGAL_AID', 'HEALTH', 'HOTLINE', 'OTHER')),
    agency_name_th text NOT NULL, -- as it was named when referred
    referred_by    integer REFERENCES team_members (id),
    referred_at    timestamptz NOT NULL,
    due_at         timestamptz NOT NULL, -- the agency's answer is expected by then
    answer         text CHECK (answer IN ('ACCEPTED', 'DECLINED')),
    reason         text, -- a declined referral's
    answered_at    timestamptz,
    PRIMARY KEY (handoff_id, number)
);
CREATE INDEX referrals_by_referred_at ON referrals (referred_at);
CREATE INDEX referrals_waiting ON referrals (due_at) WHERE answer IS NULL;
