-- Dispatch: 191 centres among the stations, the officers' directory and their LINE registration,
-- officers' API tokens and the audit log, escalation ladders per incident type, and the case read
-- model following routing, escalation and officers' actions.

-- A province's 191 command centre is kept with the stations: it has a name, a place and a phone,
-- and officers belong to it the same way. It covers no district; it sees its whole province.
ALTER TABLE stations
    ADD COLUMN kind text NOT NULL DEFAULT 'STATION' CHECK (kind IN ('STATION', 'CENTRE_191'));
CREATE INDEX stations_by_province_kind ON stations (province_code, kind);

CREATE TABLE officers (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The key an import matches on: a badge number or the source system's id.
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    rank_title    text,
    role          text NOT NULL CHECK (role IN (
        'RADIO_ROOM', 'CENTRE_191', 'COMMANDER', 'DEPUTY_COMMANDER', 'SUPERINTENDENT',
        'INSPECTOR', 'DEPUTY_INSPECTOR', 'PATROL', 'NATIONAL_DESK')),
    station_id    bigint REFERENCES stations (id),
    -- Province-level officers (commanders) have no station; the national desk has neither.
    province_code text REFERENCES provinces (code),
    phone         text,
    -- Set when the officer registers on LINE with a one-time code.
    line_user_id  text UNIQUE,
    registered_at timestamptz,
    active        boolean NOT NULL DEFAULT true,
    -- Synthetic officers generated for development and demonstrations, never real ones.
    is_demo       boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((line_user_id IS NULL) = (registered_at IS NULL))
);
CREATE INDEX officers_by_station ON officers (station_id, role) WHERE active;
CREATE INDEX officers_by_province_role ON officers (province_code, role) WHERE active;
CREATE INDEX officers_by_role ON officers (role) WHERE active;
CREATE TRIGGER officers_updated_at BEFORE UPDATE ON officers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One-time registration codes; only a hash is kept, the plain code is shown once.
CREATE TABLE officer_registration_codes (
    code_hash  text PRIMARY KEY,
    officer_id integer NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX officer_registration_codes_by_officer ON officer_registration_codes (officer_id);

-- Bearer tokens of officers using the JSON API.
CREATE TABLE officer_access_tokens (
    token_hash text PRIMARY KEY, -- sha256 hex of the bearer token
    officer_id integer REFERENCES officers (id),
    created_at timestamptz DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX officer_access_tokens_by_officer ON officer_access_tokens (officer_id);

-- Who did or saw what (PDPA): every officer action and every read of personal data.
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz DEFAULT now(),
    officer_id integer,
    action     text,
    case_no    text,
    details    jsonb DEFAULT '{}'
);
CREATE INDEX audit_log_by_case ON audit_log (case_no, at);
CREATE INDEX audit_log_by_officer ON audit_log (officer_id, at);

-- The escalation ladder as data: [{"after": seconds, "audiences": [...]}, ...]; empty = the default.
ALTER TABLE incident_types ADD COLUMN escalation jsonb NOT NULL DEFAULT '[]'::jsonb
    CHECK (jsonb_typeof(escalation) = 'array');
-- Types that exist already get the default ladder (domain/escalation.py), written out.
UPDATE incident_types SET escalation = '[
    {"after": 0, "audiences": ["STATION"]},
    {"after": 180, "audiences": ["SUPERINTENDENT", "CENTRE_191"]},
    {"after": 600, "audiences": ["COMMANDERS"]},
    {"after": 1200, "audiences": ["NATIONAL_DESK"]}
]'::jsonb;

-- The case read model follows routing, escalation and the officers' actions.
ALTER TABLE cases
    ADD COLUMN station_id       bigint REFERENCES stations (id),
    ADD COLUMN centre_id        bigint REFERENCES stations (id),
    ADD COLUMN routing_method   text CHECK (routing_method IN ('district', 'nearest', 'reassigned')),
    ADD COLUMN escalation_level integer NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
    ADD COLUMN acknowledged_at  timestamptz,
    ADD COLUMN acknowledged_by  integer REFERENCES officers (id),
    ADD COLUMN closed_at        timestamptz,
    ADD COLUMN outcome_note     text,
    -- Prank reputation: shown to officers for review, never a block.
    ADD COLUMN review_flag      boolean NOT NULL DEFAULT false;
-- The case list of a station or a 191 centre, by status over a report-date range.
CREATE INDEX cases_by_station_status ON cases (station_id, status, reported_at DESC);
CREATE INDEX cases_by_station ON cases (station_id, reported_at DESC);
CREATE INDEX cases_by_province ON cases (province_code, reported_at DESC);
-- "How often did this reporter's cases turn out to be pranks?"
CREATE INDEX cases_pranks_by_reporter ON cases (reporter_key) WHERE status = 'PRANK';
