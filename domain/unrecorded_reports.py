"""A report the conversation could not record as a case (an error retries cannot mend, e.g. the
database refusing the row): kept whole in the dead-letter table `unrecorded_reports` until an
operator replays it (python -m tools.dead_letters). Plain data, like domain.models."""

from __future__ import annotations

from pydantic import BaseModel

from domain.models import Report, Reporter


class UnrecordedReport(BaseModel):
    """What the conversation had when recording failed. `conversation_id` is the one the case number
    was (or would have been) allocated under: a replay allocates under it again, so it gets the same
    number and opens one case however often it runs. `reason` is the failure's type only (never its
    message, which may quote the report)."""

    conversation_id: str
    case_no: str | None = None  # allocated before recording failed; None when allocation itself failed
    reason: str
    reporter: Reporter
    report: Report

