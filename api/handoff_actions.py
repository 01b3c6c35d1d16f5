"""Sending a team member's action to its hand-off workflow as a Temporal update, and what came of it.

The hand-off workflow checks who may do what (its own team, an action allowed now, the fields the
action needs) and refuses the rest; this only carries the action there and its answer back."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from api.case_actions import Refusal, execute_act_update
from domain.handoff import HandoffOutcome, TeamAction
from orchestration.ids import handoff_workflow_id

HANDOFF_NOT_ACTIVE = "เรื่องส่งต่อนี้ไม่รับการดำเนินการแล้ว — this hand-off no longer accepts actions"
# The hand-off workflow's refusal types, and what they mean over HTTP.
TEAM_REJECTIONS: dict[str, int] = {"OutsideTeam": 403, "NotSupervisor": 403, "IllegalTeamAction": 409,
                                   "InvalidAction": 422}


def _thai_then_english(cause: ApplicationError) -> str:
    """The workflow gives its reason in both languages, apart: Thai first."""
    reasons = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
    if reasons.get("th") and reasons.get("en"):
        return f"{reasons['th']} — {reasons['en']}"
    return cause.message


async def send_team_action(client: Client, handoff_id: str, action: TeamAction,
                           idempotency_key: str) -> HandoffOutcome | Refusal:
    return await execute_act_update(
        client.get_workflow_handle(handoff_workflow_id(handoff_id)),
        action,
        # One outcome per update id: a form sent twice is applied once.
        update_id=f"member-{action.member.member_id}-{idempotency_key}",
        result_type=HandoffOutcome,
        rejections=TEAM_REJECTIONS,
        not_active=Refusal(409, HANDOFF_NOT_ACTIVE, "HandoffNotActive"),
        explain=_thai_then_english,
    )
