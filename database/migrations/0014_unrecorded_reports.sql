-- Reports the conversation could not record as a case (an error retries cannot mend): kept whole for
-- an operator, who replays them into cases (python -m tools.dead_letters). One row per conversation's
-- report (conversation_id), so a retried keep writes it once. `reason` is the failure's type only;
-- `report` holds the typed report (domain.unrecorded_reports.UnrecordedReport), personal data included,
-- and goes with the case's retention once replayed.
CREATE TABLE unrecorded_reports (
    id              bigserial PRIMARY KEY,
    conversation_id text NOT NULL UNIQUE,
    kept_at         timestamptz NOT NULL DEFAULT now(),
    reason          text NOT NULL,
    report          jsonb NOT NULL,
    replayed_at     timestamptz,
    case_no         text,
    CHECK ((replayed_at IS NULL) = (case_no IS NULL))
);
CREATE INDEX unrecorded_reports_waiting ON unrecorded_reports (kept_at) WHERE replayed_at IS NULL;
