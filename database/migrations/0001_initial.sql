-- The first schema: reference data, case numbers, the case read model and its timeline,
-- attachments, and the webhook's de-duplication memory.

-- Keeps updated_at honest when administrators edit rows by hand or through the back office.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Thailand's administrative geography, with the DOPA codes (loaded from the geothai package).
CREATE TABLE provinces (
    code    text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
    name_th text NOT NULL,
    name_en text NOT NULL
);

CREATE TABLE districts (
    code          text PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
    province_code text NOT NULL REFERENCES provinces (code),
    name_th       text NOT NULL,
    name_en       text NOT NULL
);
CREATE INDEX districts_by_province ON districts (province_code);

CREATE TABLE subdistricts (
    code          text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    district_code text NOT NULL REFERENCES districts (code),
    name_th       text NOT NULL,
    name_en       text NOT NULL,
    postal_codes  text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX subdistricts_by_district ON subdistricts (district_code);
CREATE INDEX subdistricts_by_postal_code ON subdistricts USING gin (postal_codes);

-- Data, not code: administrators rename, reorder and retire incident types.
CREATE TABLE incident_types (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    label_th   text NOT NULL,
    label_en   text NOT NULL,
    sort_order integer NOT NULL DEFAULT 0,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER incident_types_updated_at BEFORE UPDATE ON incident_types
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Police stations; each covers one or more districts.
CREATE TABLE stations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    name_th       text NOT NULL,
    name_en       text NOT NULL,
    province_code text NOT NULL REFERENCES provinces (code),
    latitude      double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude     double precision CHECK (longitude BETWEEN -180 AND 180),
    phone         text,
    -- Synthetic stations generated for development and demonstrations, never real ones.
    is_demo       boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX stations_by_province ON stations (province_code);
CREATE TRIGGER stations_updated_at BEFORE UPDATE ON stations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE station_districts (
    station_id    bigint NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    district_code text NOT NULL REFERENCES districts (code),
    PRIMARY KEY (station_id, district_code)
);
CREATE INDEX station_districts_by_district ON station_districts (district_code);

-- Case numbers: consecutive per year, one per conversation.
CREATE TABLE case_number_counters (
    year       integer PRIMARY KEY,
    last_value integer NOT NULL DEFAULT 0 CHECK (last_value >= 0)
);

CREATE TABLE case_numbers (
    case_no         text PRIMARY KEY,
    conversation_id text NOT NULL UNIQUE,
    year            integer NOT NULL,
    seq             integer NOT NULL CHECK (seq > 0),
    allocated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (year, seq)
);

-- The case read model (Temporal holds the process; this is what the back office reads).
CREATE TABLE cases (
    case_no            text PRIMARY KEY,
    conversation_id    text NOT NULL UNIQUE,
    reporter_key       text NOT NULL,
    line_user_id       text NOT NULL,
    language           text NOT NULL DEFAULT 'th' CHECK (language IN ('th', 'en')),
    incident_type_code text REFERENCES incident_types (code),
    status             text NOT NULL DEFAULT 'NEW'
        CHECK (status IN ('NEW', 'ACKNOWLEDGED', 'CLOSED', 'NOT_FOUND', 'PRANK', 'FORWARDED')),
    complete           boolean NOT NULL,
    phone_e164         text,
    latitude           double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude          double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    location_title     text,
    location_address   text,
    province_code      text REFERENCES provinces (code),
    district_code      text REFERENCES districts (code),
    reported_at        timestamptz NOT NULL,
    opened_at          timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- "Does this reporter already have an open case?"
CREATE INDEX cases_open_by_reporter ON cases (reporter_key, opened_at DESC)
    WHERE status IN ('NEW', 'ACKNOWLEDGED', 'FORWARDED');
-- The case list and dashboard: by province and/or status over a report-date range.
CREATE INDEX cases_by_province_status ON cases (province_code, status, reported_at DESC);
CREATE INDEX cases_by_status ON cases (status, reported_at DESC);
CREATE INDEX cases_by_reported_at ON cases (reported_at DESC);

-- The timeline. event_key makes every write idempotent under activity retries.
CREATE TABLE case_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_no     text NOT NULL REFERENCES cases (case_no) ON DELETE CASCADE,
    event_key   text NOT NULL UNIQUE,
    kind        text NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_events_by_case ON case_events (case_no, at, id);

-- Photos, videos, audio and files the reporter sent, kept with the case.
CREATE TABLE case_attachments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_no         text NOT NULL REFERENCES cases (case_no) ON DELETE CASCADE,
    event_key       text NOT NULL UNIQUE,
    line_message_id text NOT NULL,
    content_type    text NOT NULL,
    content         bytea NOT NULL,
    size            integer GENERATED ALWAYS AS (octet_length(content)) STORED,
    received_at     timestamptz NOT NULL,
    stored_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_attachments_by_case ON case_attachments (case_no, received_at);

-- LINE may deliver the same webhook event again (redelivery): remember the ids we took.
CREATE TABLE webhook_events (
    event_id    text PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_by_received_at ON webhook_events (received_at);

-- Which version of each bundled data set is loaded, so starting up skips work already done.
CREATE TABLE reference_data_loads (
    dataset   text PRIMARY KEY,
    version   text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);
