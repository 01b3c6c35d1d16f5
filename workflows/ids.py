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
