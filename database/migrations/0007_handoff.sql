-- The hand-off to the province's multidisciplinary team: the team directory (with LINE links and
-- registration codes like officers'), the hand-off read model with its own timeline and care plan,
-- and the police case's new status RETURNED (the team gave the case back).

CREATE TABLE team_members (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The key an import matches on: the source system's id.
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN (
        'COORDINATOR', 'SOCIAL_WORKER', 'CHILDRENS_HOME', 'OFFICE_HEAD', 'NATIONAL_DESK')),
    -- Every member belongs to a province's team, except the national desk.
    province_code text REFERENCES provinces (code),
    organisation  text, -- e.g. the provincial social development office, a children's home
    phone         text,
    line_user_id  text UNIQUE,
    registered_at timestamptz,
    active        boolean NOT NULL DEFAULT true,
    is_demo       boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((line_user_id IS NULL) = (registered_at IS NULL)),
    CHECK ((role = 'NATIONAL_DESK') = (province_code IS NULL))
);
CREATE INDEX team_members_by_province_role ON team_members (province_code, role) WHERE active;
CREATE TRIGGER team_members_updated_at BEFORE UPDATE ON team_members
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One registration code links one LINE account: an officer's or a team member's.
ALTER TABLE officer_registration_codes
    ALTER COLUMN officer_id DROP NOT NULL,
    ADD COLUMN team_member_id integer REFERENCES team_members (id) ON DELETE CASCADE,
    ADD CHECK (num_nonnulls(officer_id, team_member_id) = 1);
CREATE INDEX officer_registration_codes_by_team_member ON officer_registration_codes (team_member_id);

-- A team member's back-office account acts on hand-offs as that member.
ALTER TABLE accounts
    ADD COLUMN team_member_id integer REFERENCES team_members (id),
    ADD CHECK (team_member_id IS NULL OR role = 'TEAM_MEMBER');
-- A team account states its province, unless it acts as a national-desk member (every province).
DO $$
DECLARE
    province_rule text;
BEGIN
    SELECT conname INTO STRICT province_rule FROM pg_constraint
    WHERE conrelid = 'accounts'::regclass AND contype = 'c'
      AND pg_get_constraintdef(oid) LIKE '%TEAM_MEMBER%province_code IS NOT NULL%';
    EXECUTE format('ALTER TABLE accounts DROP CONSTRAINT %I', province_rule);
END;
$$;
ALTER TABLE accounts
    ADD CHECK (role NOT IN ('PROVINCE_ADMIN', 'CENTRE_OPERATOR') OR province_code IS NOT NULL),
    ADD CHECK (role <> 'TEAM_MEMBER' OR province_code IS NOT NULL OR team_member_id IS NOT NULL);

-- The police case may come back from the team.
ALTER TABLE cases DROP CONSTRAINT cases_status_check;
ALTER TABLE cases ADD CONSTRAINT cases_status_check
    CHECK (status IN ('NEW', 'ACKNOWLEDGED', 'CLOSED', 'NOT_FOUND', 'PRANK', 'FORWARDED', 'RETURNED'));
DROP INDEX cases_open_by_reporter;
CREATE INDEX cases_open_by_reporter ON cases (reporter_key, opened_at DESC)
    WHERE status IN ('NEW', 'ACKNOWLEDGED', 'FORWARDED', 'RETURNED');

-- One row per hand-off (a case handed back and forwarded again has a second one).
CREATE TABLE handoffs (
    handoff_id        text PRIMARY KEY, -- <case_no>-<attempt>
    case_no           text NOT NULL REFERENCES cases (case_no) ON DELETE CASCADE,
    attempt           integer NOT NULL CHECK (attempt >= 1),
    province_code     text NOT NULL REFERENCES provinces (code),
    station_id        bigint REFERENCES stations (id), -- the forwarding station
    status            text NOT NULL DEFAULT 'AWAITING'
        CHECK (status IN ('AWAITING', 'IN_CARE', 'REJECTED', 'CLOSED')),
    consent           text NOT NULL DEFAULT 'ASKED' CHECK (consent IN ('ASKED', 'GIVEN', 'REFUSED')),
    forwarded_at      timestamptz NOT NULL,
    forwarded_by      integer REFERENCES officers (id),
    forward_note      text,
    accept_due_at     timestamptz NOT NULL,
    escalation_level  integer NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
    accepted_at       timestamptz,
    accepted_by       integer REFERENCES team_members (id),
    case_worker_id    integer REFERENCES team_members (id),
    rejected_at       timestamptz,
    reject_reason     text,
    closed_at         timestamptz,
    care_outcome      text CHECK (care_outcome IN (
        'SAFE_WITH_FAMILY', 'SHELTERED', 'REFERRED', 'LEGAL_PROCESS', 'DECLINED_HELP', 'UNREACHABLE', 'OTHER')),
    care_note         text,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_no, attempt),
    CHECK ((status = 'CLOSED') = (care_outcome IS NOT NULL))
);
CREATE INDEX handoffs_by_province_status ON handoffs (province_code, status, forwarded_at DESC);
CREATE INDEX handoffs_by_forwarded_at ON handoffs (forwarded_at DESC);
CREATE INDEX handoffs_by_case_worker ON handoffs (case_worker_id) WHERE status = 'IN_CARE';
CREATE TRIGGER handoffs_updated_at BEFORE UPDATE ON handoffs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The hand-off's own timeline: what the team sees (never the police timeline).
CREATE TABLE handoff_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handoff_id  text NOT NULL REFERENCES handoffs (handoff_id) ON DELETE CASCADE,
    event_key   text NOT NULL UNIQUE,
    kind        text NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handoff_events_by_handoff ON handoff_events (handoff_id, at, id);

-- The care plan: follow-ups with a due time and a recorded outcome.
CREATE TABLE follow_ups (
    handoff_id  text NOT NULL REFERENCES handoffs (handoff_id) ON DELETE CASCADE,
    number      integer NOT NULL CHECK (number >= 1),
    kind        text NOT NULL CHECK (kind IN ('HOME_VISIT', 'CALL', 'SHELTER_PLACEMENT', 'REFERRAL')),
    due_at      timestamptz NOT NULL,
    note        text NOT NULL DEFAULT '',
    planned_by  integer REFERENCES team_members (id),
    planned_at  timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'PLANNED' CHECK (status IN ('PLANNED', 'DONE', 'CANCELLED')),
    outcome     text,
    recorded_at timestamptz,
    PRIMARY KEY (handoff_id, number)
);
CREATE INDEX follow_ups_due ON follow_ups (due_at) WHERE status = 'PLANNED';
