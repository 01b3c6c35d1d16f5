"""Workflow ids: what operators see in the Temporal UI. Never a LINE user id or a phone number."""

INTAKE_PREFIX = "intake-"
CASE_PREFIX = "case-"
HANDOFF_PREFIX = "handoff-"


def intake_workflow_id(reporter_key: str) -> str:
    return f"{INTAKE_PREFIX}{reporter_key}"


def case_workflow_id(case_no: str) -> str:
    return f"{CASE_PREFIX}{case_no}"


def handoff_workflow_id(handoff_id: str) -> str:
    return f"{HANDOFF_PREFIX}{handoff_id}"


def case_no_of_workflow_id(workflow_id: str) -> str | None:
    """The case a case's or hand-off's workflow belongs to; None for every other workflow
    (conversations, which may not have a case yet, retention runs, schedules)."""
    if workflow_id.startswith(CASE_PREFIX):
        return workflow_id.removeprefix(CASE_PREFIX) or None
    if workflow_id.startswith(HANDOFF_PREFIX):
        # A hand-off id is "<case no>-<attempt>" (domain.handoff.handoff_id_of).
        case_no, dash, attempt = workflow_id.removeprefix(HANDOFF_PREFIX).rpartition("-")
        return case_no if dash and case_no and attempt.isascii() and attempt.isdigit() else None
    return None
