-- Sign-in throttling by (username, address) with a growing wait, an address's own cap, and a cap
-- on failures across the whole service per minute (database/sessions.py). A failure row is written
-- before the password is checked and removed when it proves right, so concurrent guesses see each other.
CREATE INDEX sign_in_failures_by_pair ON sign_in_failures (username, client, at);
-- The service-wide count per minute, and forgetting old failures.
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (at);
