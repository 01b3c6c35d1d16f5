-- Retention (PDPA): some time after a case is over, its personal data is anonymised and its
-- statistics stay (database/retention.py, run nightly by a Temporal Schedule). anonymised_at says
-- when; a case anonymised once is never touched again.
--
-- When is a case over? Its police part has ended (CLOSED, NOT_FOUND, PRANK, or FORWARDED to the
-- multidisciplinary team; closed_at stamped) and no hand-off of it is still open. A FORWARDED case
-- whose team has not answered yet, or whose care is still open, keeps its data however old the
-- forward is: the team still works with it. Its period starts when the last of its hand-offs ended
-- (closed, or handed back). A RETURNED case is open again at its station: never due.
ALTER TABLE cases ADD COLUMN anonymised_at timestamptz;

-- The cases not anonymised yet whose police part has ended, by when it ended: the nightly run
-- reads the oldest first and stops at the cut-off. Anonymised cases leave the index, so it stays
-- as small as the cases within their retention period. (The hand-offs of each candidate are
-- found through handoffs' (case_no, attempt) key.)
CREATE INDEX cases_due_for_anonymising ON cases (closed_at)
    WHERE anonymised_at IS NULL AND status IN ('CLOSED', 'NOT_FOUND', 'PRANK', 'FORWARDED');
