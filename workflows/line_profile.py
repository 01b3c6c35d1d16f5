"""What workflows ask LINE about a user. Cosmetic: a failure never holds up a report."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.line import LineMessenger
    from domain.models import Language
    from orchestration import options


async def line_language(user_id: str) -> Language | None:
    """The language of the user's LINE app when the bot speaks it; None when unknown."""
    try:
        return await workflow.execute_local_activity_method(
            LineMessenger.get_line_language, user_id, **options.LINE_COSMETIC
        )
    except (ActivityError, ApplicationError):
        # A local activity that runs out of attempts raises its own ApplicationError here (not
        # wrapped in ActivityError as a regular activity's is): LINE down must not fail the caller.
        return None
