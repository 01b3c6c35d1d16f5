-- The agencies a province's multidisciplinary team refers people to (hospital crisis centres, shelters,
-- children's and family homes, legal aid, hotlines): reference data that comes in through the directory
-- import (database/directory), matched on its code. An agency without a province is national (the 1300
-- hotline) and serves every province. Office numbers only: an agency row holds no personal data.

CREATE TABLE agencies (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The key an import matches on: the source system's id.
    code          text NOT NULL UNIQUE,
    -- NULL: a national agency, offered to every province.
    province_code text REFERENCES provinces (code),
    kind          text NOT NULL CHECK (kind IN (
        'OSCC', 'SHELTER', 'CHILDRENS_HOME', 'LEGAL_AID', 'HOTLINE', 'HEALTH', 'OTHER')),
    name_th       text NOT NULL,
    name_en       text NOT NULL,
    -- The agency's office number in E.164, or a short code such as 1300.
    phone         text,
    note          text,
    active        boolean NOT NULL DEFAULT true,
    -- Synthetic agencies generated for development and demonstrations, never real ones.
    is_demo       boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- A province's directory: its own agencies and the national ones (province_code IS NULL).
CREATE INDEX agencies_by_province ON agencies (province_code, kind) WHERE active;
CREATE TRIGGER agencies_updated_at BEFORE UPDATE ON agencies
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
