-- The back office: people who sign in (accounts), their sessions, failed sign-ins (for
-- throttling), and who did what in the audit log.

CREATE TABLE accounts (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
    display_name  text NOT NULL,
    password_hash text NOT NULL, -- argon2id, never the password
    role          text NOT NULL CHECK (role IN (
        'SUPERADMIN', 'PROVINCE_ADMIN', 'CENTRE_OPERATOR', 'STATION_OFFICER', 'TEAM_MEMBER')),
    province_code text REFERENCES provinces (code),
    station_id    bigint REFERENCES stations (id),
    -- Acting on a case (acknowledge, close…) is done as this officer; without one an account only reads.
    officer_id    integer REFERENCES officers (id),
    active        boolean NOT NULL DEFAULT true,
    -- Synthetic accounts for development and demonstrations, with a published password.
    is_demo       boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- Each role's scope must be stated: a province, or a station.
    CHECK (role NOT IN ('PROVINCE_ADMIN', 'CENTRE_OPERATOR', 'TEAM_MEMBER') OR province_code IS NOT NULL),
    CHECK (role <> 'STATION_OFFICER' OR station_id IS NOT NULL)
);
CREATE UNIQUE INDEX accounts_by_username ON accounts (username);
CREATE TRIGGER accounts_updated_at BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Signed-in sessions. The cookie carries a random token; only its SHA-256 is kept here.
CREATE TABLE account_sessions (
    token_hash   text PRIMARY KEY,
    account_id   integer NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL, -- every form of this session carries it back
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX account_sessions_by_account ON account_sessions (account_id);

-- Failed sign-ins, per username and per client address, for throttling guessers.
CREATE TABLE sign_in_failures (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL,
    client   text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_by_username ON sign_in_failures (username, at);
CREATE INDEX sign_in_failures_by_client ON sign_in_failures (client, at);

-- The audit log names the back-office account too (officer_id stays for the JSON API and LINE).
ALTER TABLE audit_log ADD COLUMN account_id integer REFERENCES accounts (id);
CREATE INDEX audit_log_by_account ON audit_log (account_id, at);
CREATE INDEX audit_log_by_time ON audit_log (at);
