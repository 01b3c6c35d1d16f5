-- Accounts that LINE Login creates (database/line_accounts.py): an active officer who linked their LINE
-- account and has no back-office account acting as them gets one at their first sign-in with LINE, in
-- the role and scope they are alerted for. Such an account signs in with LINE only: its password hash
-- is of a random secret nobody was given (every password check stays as it is, the previous release's
-- too). The administrators' accounts page says which accounts were made this way.
ALTER TABLE accounts ADD COLUMN created_by_line_sign_in boolean NOT NULL DEFAULT false;
-- One such account per officer, however many first sign-ins race: the second finds the first's.
CREATE UNIQUE INDEX accounts_created_by_line_sign_in ON accounts (officer_id) WHERE created_by_line_sign_in;
