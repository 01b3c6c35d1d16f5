-- One truth for a case's status: HANDED_OVER, the multidisciplinary team accepted the hand-off.
--
-- Until now the case row stayed FORWARDED after the team accepted: lists, the dashboard, statistics
-- and the reporter's next conversation (which looks for a case still in progress, FORWARDED among
-- them) took a case in the team's care for one still waiting for its answer. From now on the case
-- store moves the row to HANDED_OVER when the case's timeline records HANDOFF_ACCEPTED
-- (activities/cases.py); its closed_at stays the forward's (the police part ended then), and so does
-- its outcome note (the officer's words to the team).

ALTER TABLE cases DROP CONSTRAINT cases_status_check;
ALTER TABLE cases ADD CONSTRAINT cases_status_check
    CHECK (status IN ('NEW', 'ACKNOWLEDGED', 'CLOSED', 'NOT_FOUND', 'PRANK', 'FORWARDED', 'HANDED_OVER',
                      'RETURNED'));

-- A handed-over case is over for the police like a forwarded one: retention reads it the same way
-- (due once its last hand-off has ended too). The index's statuses must cover the nightly query's.
DROP INDEX cases_due_for_anonymising;
CREATE INDEX cases_due_for_anonymising ON cases (closed_at)
    WHERE anonymised_at IS NULL AND status IN ('CLOSED', 'NOT_FOUND', 'PRANK', 'FORWARDED', 'HANDED_OVER');
-- cases_open_by_reporter (NEW, ACKNOWLEDGED, FORWARDED, RETURNED) stays: a handed-over case is not open.

-- The cases accepted before this release: FORWARDED, and their timeline records that the team
-- accepted their current hand-off (the newest attempt) with nothing after it that moved the status.
-- An anonymised timeline entry no longer names its hand-off: then the hand-off row says it was
-- accepted, and the entry comes after its forward. The counting triggers of migration 0005 move
-- the counts from FORWARDED to HANDED_OVER.
-- Read from the FORWARDED cases, each through its timeline's index (case_events_by_case): the whole
-- timeline table is never scanned.
UPDATE cases AS c
SET status = 'HANDED_OVER', closed_at = coalesce(c.closed_at, accepted.at), updated_at = greatest(c.updated_at, now())
FROM cases AS f
JOIN LATERAL (
    SELECT h.handoff_id, h.forwarded_at, h.accepted_at
    FROM handoffs AS h WHERE h.case_no = f.case_no ORDER BY h.attempt DESC LIMIT 1
) AS current ON true
JOIN LATERAL (
    SELECT e.at FROM case_events AS e
    WHERE e.case_no = f.case_no AND e.kind = 'HANDOFF_ACCEPTED'
      AND (e.details ->> 'handoff_id' = current.handoff_id
           OR (e.details ->> 'handoff_id' IS NULL AND current.accepted_at IS NOT NULL
               AND e.at >= current.forwarded_at))
    ORDER BY e.at, e.id
    LIMIT 1
) AS accepted ON true
WHERE f.status = 'FORWARDED'
  AND c.case_no = f.case_no
  AND NOT EXISTS (
      SELECT 1 FROM case_events AS later
      WHERE later.case_no = c.case_no AND later.kind = 'STATUS_CHANGED' AND later.at > accepted.at
  );
