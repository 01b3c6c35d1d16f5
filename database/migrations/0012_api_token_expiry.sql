-- Officers' API tokens expire, and say when they were last used (database/officer_tokens.py).
-- A token issued before this lived forever: it now lives the default lifetime (90 days) from when
-- it was made, so one made more than 90 days ago stops working at once and must be issued again.
ALTER TABLE officer_access_tokens
    ADD COLUMN expires_at   timestamptz,
    ADD COLUMN last_used_at timestamptz; -- written at most once a minute per token
UPDATE officer_access_tokens SET expires_at = coalesce(created_at, now()) + interval '90 days';
ALTER TABLE officer_access_tokens ALTER COLUMN expires_at SET NOT NULL;
