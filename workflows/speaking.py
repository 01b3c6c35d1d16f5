"""What the case and hand-off workflows share to speak: sending LINE messages through the activity,
and refusing an action with its reason in both languages."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.line import LineMessenger
    from domain.models import BotMessage, Delivery, Language, LineEvent
    from orchestration import options


def refusal(kind: str, thai: str, english: str) -> ApplicationError:
    """Why an action was refused, in both languages (the details carry them apart)."""
    return ApplicationError(f"{thai} / {english}", {"th": thai, "en": english}, type=kind, non_retryable=True)


async def send_line(user_id: str, language: Language, messages: list[BotMessage], key: str,
                    silent: bool = True, reply_to: LineEvent | None = None) -> bool:
    """Pushed, or a reply to `reply_to` while its token is fresh (the activity decides). The key,
    under this workflow's id, makes a retry send nothing twice. False when LINE never took it: it
    refused for good, its monthly quota is used up, or it stayed unavailable for the delivery's
    whole window (hours for what must arrive, such as an officer's alert; minutes for the routine;
    the activity knows which by what the messages are, and reads the hours from the settings)."""
    delivery = Delivery(key=f"{workflow.info().workflow_id}/{key}", user_id=user_id, language=language,
                        messages=messages, silent=silent,
                        reply_token=reply_to.reply_token if reply_to else None,
                        reply_token_issued_at=reply_to.occurred_at if reply_to else None)
    try:
        await workflow.execute_activity_method(LineMessenger.send_line_messages, delivery, **options.LINE)
    except ActivityError:
        return False
    return True
