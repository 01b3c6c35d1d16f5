-- The case dashboard's figures for the whole country or one province, counted in advance.
--
-- Read from the cases themselves, the figures for every province over six months (1,000,000
-- cases) took about 700 ms however the indexes were shaped: each figure visits every case of the
-- range. These tables hold the same counts per Thailand day, kept up to date by triggers on
-- `cases`, so a figure adds up a few thousand rows instead: all five for every province in about
-- 15 ms, for one province in about 10 ms (database/case_statistics.py, measured by
-- bench/back_office.py; a station's figures, few cases, are still read from `cases`). Writing a
-- case costs about 1 to 3 ms more when it changes something counted here.
--
-- "area" is a province code, or 'TH' for the whole country. A case with a province counts in
-- its province's rows and in the country's; a case in no known province only in the country's
-- (a province's view never includes it). `day` is the case's report day, Thailand time. Each key
-- carries its count (INCLUDE), so the figures are read from the indexes alone: all five for every
-- province went from about 35 ms to about 15 ms that way. The price: changing a count is not a
-- HOT update and leaves an old index entry for vacuum, a few per case written.
--
-- Exactness: every row is the count of the cases with that key, in the same transaction as the
-- change to the cases, so the figures equal those counted from `cases` in any snapshot. Counts
-- that fall to 0 stay as rows with 0; readers skip them.
--
-- Concurrency: each statement on `cases` adds its changes up per key first, then applies them with
-- INSERT … ON CONFLICT DO UPDATE, which adds to the row under its lock, so no count is lost.
-- Tables come in a fixed order, keys in order within a table, and the country's row of a key
-- before its provinces': every case takes the country's row of its day, type and status first,
-- so a second writer of such a case waits there, holding none of the rows the first one goes on
-- to take. Two transactions writing cases of the same day, type and status, in any provinces and
-- however many each, therefore do not deadlock (under READ COMMITTED, the default;
-- under REPEATABLE READ the second writer gets a serialization failure to retry, as for any row
-- both update). Transactions that each write several cases of different days or types, in
-- opposite orders, can still deadlock, as on any shared counter: PostgreSQL aborts one and its
-- writer retries (the case store writes one case per transaction).

-- The Thailand day (UTC+7, no daylight saving) of a moment.
CREATE FUNCTION thai_day(moment timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (moment AT TIME ZONE INTERVAL '+07:00')::date;

-- The wait from report to acknowledgement in whole seconds, rounded up (so "1 minute or less"
-- is exact); a clock skew that puts the acknowledgement first counts as 0. NULL: not acknowledged.
CREATE FUNCTION acknowledge_wait_seconds(reported_at timestamptz, acknowledged_at timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN acknowledged_at IS NOT NULL  -- greatest() would make NULL a 0
    THEN ceil(greatest(date_part('epoch', acknowledged_at - reported_at), 0))::bigint END;

-- Counters, cases per day and per incident type.
CREATE TABLE case_day_counts (
    area               text NOT NULL,
    day                date NOT NULL,
    incident_type_code text, -- NULL: not stated
    status             text NOT NULL,
    cases              bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (area, day, incident_type_code, status) INCLUDE (cases)
);

-- Cases per province for the whole country's view, the cases in no known province included.
CREATE TABLE case_day_province_counts (
    province_code text, -- NULL: in no known province
    day           date NOT NULL,
    cases         bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (province_code, day) INCLUDE (cases)
);

-- The time to acknowledge, at two resolutions. Per minute (minute m holds the waits of
-- (m − 1) × 60 + 1 to m × 60 seconds; minute 0 the waits of 0 s): the dashboard's buckets end on
-- whole minutes, so they add up exactly from here, and so does the minute the median falls in.
CREATE TABLE case_day_ack_minutes (
    area   text NOT NULL,
    day    date NOT NULL,
    minute bigint NOT NULL,
    cases  bigint NOT NULL,
    PRIMARY KEY (area, day, minute) INCLUDE (cases)
);

-- Per second, to find the median's and the 90th percentile's second within their minute.
CREATE TABLE case_day_ack_seconds (
    area    text NOT NULL,
    seconds bigint NOT NULL,
    day     date NOT NULL,
    cases   bigint NOT NULL,
    PRIMARY KEY (area, seconds, day) INCLUDE (cases)
);

-- One function for INSERT, UPDATE and DELETE: the rows a statement removed count −1, the rows it
-- wrote +1, added up per key; a key whose changes cancel out is left alone. The transition
-- tables of the statement differ per operation, so the statements are built once here and run
-- with EXECUTE, which sees them too.
CREATE FUNCTION roll_up_case_changes() RETURNS trigger
LANGUAGE plpgsql AS $function$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS change, * FROM new_cases'
        WHEN 'DELETE' THEN 'SELECT -1 AS change, * FROM old_cases'
        ELSE 'SELECT 1 AS change, * FROM new_cases UNION ALL SELECT -1, * FROM old_cases'
    END;
    keyed text;
BEGIN
    -- Most updates (routing, escalation, notes) touch nothing counted here: stop early. (Nested:
    -- one condition would be planned whole, old_cases included, whatever the operation.)
    IF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (
            SELECT reported_at, province_code, incident_type_code, status, acknowledged_at FROM old_cases
            EXCEPT ALL
            SELECT reported_at, province_code, incident_type_code, status, acknowledged_at FROM new_cases
        ) THEN
            RETURN NULL;
        END IF;
    END IF;
    keyed := format(
        'WITH keyed AS MATERIALIZED (
            SELECT c.change, thai_day(c.reported_at) AS day, c.province_code, c.incident_type_code, c.status,
                   acknowledge_wait_seconds(c.reported_at, c.acknowledged_at) AS wait
            FROM (%s) AS c
        ), in_areas AS (
            SELECT keyed.*, a.area
            FROM keyed CROSS JOIN LATERAL (VALUES (keyed.province_code), (''TH'')) AS a (area)
            WHERE a.area IS NOT NULL
        ) ', changed);

    EXECUTE keyed || $sql$
        INSERT INTO case_day_counts AS t (area, day, incident_type_code, status, cases)
        SELECT area, day, incident_type_code, status, sum(change)
        FROM in_areas GROUP BY 1, 2, 3, 4 HAVING sum(change) <> 0
        ORDER BY area <> 'TH', 1, 2, 3, 4
        ON CONFLICT (area, day, incident_type_code, status) DO UPDATE SET cases = t.cases + excluded.cases
    $sql$;
    EXECUTE keyed || $sql$
        INSERT INTO case_day_province_counts AS t (province_code, day, cases)
        SELECT province_code, day, sum(change)
        FROM keyed GROUP BY 1, 2 HAVING sum(change) <> 0
        ORDER BY 1, 2
        ON CONFLICT (province_code, day) DO UPDATE SET cases = t.cases + excluded.cases
    $sql$;
    EXECUTE keyed || $sql$
        INSERT INTO case_day_ack_minutes AS t (area, day, minute, cases)
        SELECT area, day, (wait + 59) / 60, sum(change)
        FROM in_areas WHERE wait IS NOT NULL GROUP BY 1, 2, 3 HAVING sum(change) <> 0
        ORDER BY area <> 'TH', 1, 2, 3
        ON CONFLICT (area, day, minute) DO UPDATE SET cases = t.cases + excluded.cases
    $sql$;
    EXECUTE keyed || $sql$
        INSERT INTO case_day_ack_seconds AS t (area, seconds, day, cases)
        SELECT area, wait, day, sum(change)
        FROM in_areas WHERE wait IS NOT NULL GROUP BY 1, 2, 3 HAVING sum(change) <> 0
        ORDER BY area <> 'TH', 1, 2, 3
        ON CONFLICT (area, seconds, day) DO UPDATE SET cases = t.cases + excluded.cases
    $sql$;
    RETURN NULL;
END;
$function$;

-- Statement triggers with transition tables: a bulk insert is counted in one pass. (A trigger
-- with transition tables cannot be limited to some columns; the early stop above does that.)
CREATE TRIGGER cases_roll_up_inserts AFTER INSERT ON cases
    REFERENCING NEW TABLE AS new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION roll_up_case_changes();
CREATE TRIGGER cases_roll_up_updates AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION roll_up_case_changes();
CREATE TRIGGER cases_roll_up_deletes AFTER DELETE ON cases
    REFERENCING OLD TABLE AS old_cases
    FOR EACH STATEMENT EXECUTE FUNCTION roll_up_case_changes();

CREATE FUNCTION empty_case_rollups() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    TRUNCATE case_day_counts, case_day_province_counts, case_day_ack_minutes, case_day_ack_seconds;
    RETURN NULL;
END;
$function$;
CREATE TRIGGER cases_roll_up_truncate AFTER TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION empty_case_rollups();

-- The cases there are already. The triggers exist by now and hold writers back until this
-- migration commits, so no case is counted twice or missed.
INSERT INTO case_day_counts (area, day, incident_type_code, status, cases)
SELECT a.area, thai_day(c.reported_at), c.incident_type_code, c.status, count(*)
FROM cases c CROSS JOIN LATERAL (VALUES (c.province_code), ('TH')) AS a (area)
WHERE a.area IS NOT NULL
GROUP BY 1, 2, 3, 4;

INSERT INTO case_day_province_counts (province_code, day, cases)
SELECT c.province_code, thai_day(c.reported_at), count(*)
FROM cases c
GROUP BY 1, 2;

INSERT INTO case_day_ack_minutes (area, day, minute, cases)
SELECT a.area, thai_day(c.reported_at), (acknowledge_wait_seconds(c.reported_at, c.acknowledged_at) + 59) / 60,
       count(*)
FROM cases c CROSS JOIN LATERAL (VALUES (c.province_code), ('TH')) AS a (area)
WHERE a.area IS NOT NULL AND c.acknowledged_at IS NOT NULL
GROUP BY 1, 2, 3;

INSERT INTO case_day_ack_seconds (area, seconds, day, cases)
SELECT a.area, acknowledge_wait_seconds(c.reported_at, c.acknowledged_at), thai_day(c.reported_at), count(*)
FROM cases c CROSS JOIN LATERAL (VALUES (c.province_code), ('TH')) AS a (area)
WHERE a.area IS NOT NULL AND c.acknowledged_at IS NOT NULL
GROUP BY 1, 2, 3;
