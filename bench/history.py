"""What one real report costs Temporal, read from the histories of the workflows it ran: the
activities each webhook event (step) led to, as [regular, local] pairs (local activities leave a
marker instead of scheduled/started/completed events). The skeleton copies these counts, kind
for kind, so the comparison is like with like."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from orchestration.ids import case_workflow_id

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
MARKER = EventType.EVENT_TYPE_MARKER_RECORDED
SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
LOCAL_ACTIVITY_MARKER = "core_local_activity"
Work = list[int]  # [regular activities, local activities]


def _kind(event) -> int | None:
    """0 for a regular activity, 1 for a local one, None for any other event."""
    if event.event_type == SCHEDULED:
        return 0
    if event.event_type == MARKER and event.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER:
        return 1
    return None


async def activities_scheduled(client: Client, workflow_id: str) -> Work:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    work = [0, 0]
    for event in history.events:
        if (kind := _kind(event)) is not None:
            work[kind] += 1
    return work


async def activities_per_step(client: Client, case_no: str, citizen_steps: int, officer_work: Work) -> list[Work]:
    """Activities per webhook event of one report: the citizen's steps (from their conversation's
    history), the case's own work (before the acknowledgement it belongs to the phone number's
    step, after it to the acknowledgement), and the officer conversation's share of the tap."""
    case = client.get_workflow_handle(case_workflow_id(case_no))
    description = await case.describe()
    if not description.parent_id:
        raise RuntimeError("the case workflow has no parent conversation")
    steps = _per_signal(await client.get_workflow_handle(description.parent_id).fetch_history(), citizen_steps)
    opening, acknowledgement = _per_signal(await case.fetch_history(), 2, before_first_signal=True)
    steps[-1] = [a + b for a, b in zip(steps[-1], opening, strict=True)]
    return [*steps, [a + b for a, b in zip(acknowledgement, officer_work, strict=True)]]


def _per_signal(history, signals: int, before_first_signal: bool = False) -> list[Work]:
    """Activities after each signal (or before the first, then after it)."""
    counts = [[0, 0] for _ in range(signals)]
    step = 0 if before_first_signal else -1
    for event in history.events:
        if event.event_type == SIGNALED:
            step = min(step + 1, signals - 1)
        elif (kind := _kind(event)) is not None and step >= 0:
            counts[step][kind] += 1
    return counts
