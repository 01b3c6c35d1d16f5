-- A reporter's phone number unmasked on a case page (the audited POST) stays shown to that session,
-- for that case, until expires_at (database/unmask_grants.py); then it is masked again. The grant is
-- kept here, on the server: nothing the browser sends can widen it. A session that ends or is
-- deleted takes its grants with it.
CREATE TABLE phone_unmask_grants (
    session_token_hash text NOT NULL REFERENCES account_sessions (token_hash) ON DELETE CASCADE,
    case_no            text NOT NULL REFERENCES cases (case_no) ON DELETE CASCADE,
    expires_at         timestamptz NOT NULL,
    PRIMARY KEY (session_token_hash, case_no)
);
-- Expired grants are cleared as new ones are written.
CREATE INDEX phone_unmask_grants_by_expiry ON phone_unmask_grants (expires_at);
