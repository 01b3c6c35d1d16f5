-- A care offered to another province's team (the person helped moved): one row per offer, answered
-- once. Accepted, the hand-off becomes that province's (handoffs.province_code), its history with it.
CREATE TABLE handoff_transfers (
    event_key          text PRIMARY KEY, -- the offer's timeline entry
    handoff_id         text NOT NULL REFERENCES handoffs (handoff_id) ON DELETE CASCADE,
    from_province_code text NOT NULL REFERENCES provinces (code),
    to_province_code   text NOT NULL REFERENCES provinces (code),
    requested_by       integer REFERENCES team_members (id),
    requested_at       timestamptz NOT NULL,
    accept_due_at      timestamptz NOT NULL,
    note               text,
    answer             text CHECK (answer IN ('ACCEPTED', 'DECLINED')),
    answered_by        integer REFERENCES team_members (id),
    answered_at        timestamptz,
    reason             text
);
CREATE INDEX handoff_transfers_waiting ON handoff_transfers (to_province_code, requested_at) WHERE answer IS NULL;
CREATE INDEX handoff_transfers_by_requested_at ON handoff_transfers (requested_at);
