"""Sending an officer's action to its case workflow as a Temporal update, and what came of it.

Shared by the JSON API and the back office: the API never changes a case itself."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.models import ActionOutcome, OfficerAction
from workflows.ids import case_workflow_id

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


@dataclass(frozen=True)
class Refusal:
    """Why an action was not applied, with the HTTP status that says it."""

    status: int
    message: str
    type: str | None = None


async def send_action(client: Client, case_no: str, action: OfficerAction, idempotency_key: str) -> ActionOutcome | Refusal:
    handle = client.get_workflow_handle(case_workflow_id(case_no))
    try:
        async with asyncio.timeout(ACTION_WAIT.total_seconds()):
            return await handle.execute_update(
                ACT_UPDATE,
                action,
                # Temporal keeps one outcome per update id: a retried request is applied once.
                id=f"officer-{action.officer.officer_id}-{idempotency_key}",
                result_type=ActionOutcome,
            )
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError) and cause.type in REJECTIONS:
            return Refusal(REJECTIONS[cause.type], cause.message, cause.type)
        log.error("case action failed unexpectedly: %s", type(cause).__name__)
        return Refusal(500, "เกิดข้อผิดพลาด — the action failed unexpectedly")
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        return Refusal(503, TRY_AGAIN, "Unavailable")
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            # The case's workflow has finished (or never ran): nothing accepts actions any more.
            return Refusal(409, CASE_NOT_ACTIVE, "CaseNotActive")
        log.warning("Temporal unreachable for a case action: %s", error.status.name if error.status else "?")
        return Refusal(503, TRY_AGAIN, "Unavailable")
