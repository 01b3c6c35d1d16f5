"""An officer or a team member links their LINE account to the directory with a one-time
registration code."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from domain.handoff import TeamMember
from domain.models import Officer


class RegistrationFailure(StrEnum):
    UNKNOWN_CODE = "unknown_code"
    EXPIRED = "expired"
    ALREADY_USED = "already_used"
    LINE_ACCOUNT_TAKEN = "line_account_taken"  # this LINE account belongs to another officer or team member
    THROTTLED = "throttled"  # too many wrong codes from this LINE account: wait_minutes before the next


class RegistrationRequest(BaseModel):
    code: str = Field(max_length=64)  # as it was typed; spaces, dashes and case do not matter
    line_user_id: str


class RegistrationOutcome(BaseModel):
    """Registered as the officer or the team member the code was issued for (one of the two)."""

    registered: bool
    officer: Officer | None = None
    team_member: TeamMember | None = None
    reason: RegistrationFailure | None = None
    wait_minutes: int | None = None
