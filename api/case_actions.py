"""Sending an action to its workflow as a Temporal update, and what came of it: an officer's action
to its case (here), a team member's to its hand-off (api.handoff_actions).

Shared by the JSON API and the back office: the API never changes a case or a hand-off itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.models import ActionOutcome, OfficerAction
from orchestration.ids import case_workflow_id

log = logging.getLogger(__name__)

ACT_UPDATE = "act"
# An update normally completes in well under a second. Past this (Temporal unreachable: its client
# keeps retrying for about 10 s; no worker running) the caller is asked to retry with the same key,
# which is applied once anyway.
ACTION_WAIT = timedelta(seconds=5)

CASE_NOT_ACTIVE = "เรื่องนี้ไม่รับการดำเนินการแล้ว — this case no longer accepts actions"
TRY_AGAIN = "ระบบงานไม่พร้อม ลองใหม่ด้วย Idempotency-Key เดิม — service unavailable; retry with the same key"
# The case workflow's rejection types, and what they mean over HTTP.
REJECTIONS: dict[str, int] = {"OutsideJurisdiction": 403, "IllegalTransition": 409, "InvalidAction": 422}

Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class Refusal:
    """Why an action was not applied, with the HTTP status that says it."""

    status: int
    message: str
    type: str | None = None


async def send_action(client: Client, case_no: str, action: OfficerAction,
                      idempotency_key: str) -> ActionOutcome | Refusal:
    return await execute_act_update(
        client.get_workflow_handle(case_workflow_id(case_no)),
        action,
        # Temporal keeps one outcome per update id: a retried request is applied once.
        update_id=f"officer-{action.officer.officer_id}-{idempotency_key}",
        result_type=ActionOutcome,
        rejections=REJECTIONS,
        not_active=Refusal(409, CASE_NOT_ACTIVE, "CaseNotActive"),
    )


def _as_sent(cause: ApplicationError) -> str:
    return cause.message


async def execute_act_update(
    handle: WorkflowHandle[Any, Any],
    action: Any,
    *,
    update_id: str,
    result_type: type[Outcome],
    rejections: Mapping[str, int],
    not_active: Refusal,
    explain: Callable[[ApplicationError], str] = _as_sent,
) -> Outcome | Refusal:
    """The workflow's `act` update: its outcome, or a Refusal. `rejections` maps the workflow's
    refusal types to HTTP statuses, `explain` turns a refusal into the message people read, and
    `not_active` answers for a workflow that has finished (or never ran)."""
    try:
        async with asyncio.timeout(ACTION_WAIT.total_seconds()):
            return await handle.execute_update(ACT_UPDATE, action, id=update_id, result_type=result_type)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError) and cause.type is not None and cause.type in rejections:
            return Refusal(rejections[cause.type], explain(cause), cause.type)
        log.error("an action failed unexpectedly: %s", type(cause).__name__)
        return Refusal(500, "เกิดข้อผิดพลาด — the action failed unexpectedly")
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        return Refusal(503, TRY_AGAIN, "Unavailable")
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return not_active
        log.warning("Temporal unreachable for an action: %s", error.status.name if error.status else "?")
        return Refusal(503, TRY_AGAIN, "Unavailable")
