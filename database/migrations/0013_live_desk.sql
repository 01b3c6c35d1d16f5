-- The live desk.
--
-- Whom a case's alerts reached: the LINE alerts accepted, summed over the ladder's rungs, from the
-- ALERTED timeline entries (details.officer_ids; an empty list is a rung that reached nobody), and
-- when the first rung was tried. An open case tried and still at 0 has reached nobody: the case list
-- and the dashboard flag it.
ALTER TABLE cases ADD COLUMN officers_reached integer NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN first_alerted_at timestamptz;
UPDATE cases AS c SET officers_reached = a.reached, first_alerted_at = a.first_at
FROM (
    SELECT case_no,
           sum(CASE WHEN jsonb_typeof(details -> 'officer_ids') = 'array'
                    THEN jsonb_array_length(details -> 'officer_ids') ELSE 0 END) AS reached,
           min(at) AS first_at
    FROM case_events WHERE kind = 'ALERTED' GROUP BY case_no
) AS a
WHERE a.case_no = c.case_no;
CREATE INDEX cases_reaching_nobody ON cases (reported_at DESC)
    WHERE officers_reached = 0 AND first_alerted_at IS NOT NULL;

-- What each account has read of each case's reporter messages: the timeline entry (case_events.id)
-- of the last one it has seen, set when the account opens the case page. The case list counts the
-- reporter messages after it as unread.
CREATE TABLE case_reads (
    account_id integer NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    case_no    text NOT NULL REFERENCES cases (case_no) ON DELETE CASCADE,
    read_up_to bigint NOT NULL,
    read_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, case_no)
);
-- Counting a case's reporter messages after a point.
CREATE INDEX case_events_reporter_messages ON case_events (case_no, id) WHERE kind = 'REPORTER_MESSAGE';
