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

-- Release steps: a change to what the database holds that the previous release cannot read waits
-- until no process of that release runs (expand first, contract after). 'handed-over-status': rows
-- may read HANDED_OVER, which a 0.1.0 API or worker cannot parse. A new database (every migration
-- applied in this one transaction, so each stamped with its start) has no previous release: the step
-- is done at once. An upgraded one waits for the operator's `python -m tools.release_steps complete
-- handed-over-status` once the deploy is over; until then an accepted case keeps reading FORWARDED
-- (its hand-off says it was accepted), and then every such case moves (database.cases).
CREATE TABLE release_steps (
    name    text PRIMARY KEY,
    done_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO release_steps (name)
SELECT 'handed-over-status' WHERE NOT EXISTS (SELECT 1 FROM schema_migrations WHERE applied_at < now());
