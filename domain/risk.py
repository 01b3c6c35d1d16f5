"""The risk assessment of a care: a short list of questions an administrator keeps (database
risk_questions), each answered yes / no / unknown, and the level the case worker sets with the reason.
Done when the team accepts and again at each review; the level decides how soon the next review and
the follow-ups are due, and a high level needs the office head's eye.

An assessment carries its questions' words as they were asked: an administrator may reword or retire a
question later, and the record must still say what was asked."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class RiskAnswer(StrEnum):
    UNKNOWN = "UNKNOWN"
    YES = "YES"
    NO = "NO"


class RiskLevel(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


# Lowest first: a level is the highest of those its answers call for.
RISK_LEVELS = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)


class RiskQuestion(BaseModel):
    """One question as the administrators keep it; a yes calls for at least `raises_to`."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")
    text_th: str = Field(min_length=1, max_length=300)
    text_en: str = Field(min_length=1, max_length=300)
    raises_to: RiskLevel
    position: int = 0
    active: bool = True


class RiskAnswerGiven(BaseModel):
    """A question as it was asked, and its answer."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=40)
    question_th: str = Field(max_length=300)
    question_en: str = Field(max_length=300)
    raises_to: RiskLevel
    answer: RiskAnswer = RiskAnswer.UNKNOWN


class RiskAssessment(BaseModel):
    """The answers and the level the case worker set, with why."""

    model_config = ConfigDict(extra="forbid")

    answers: list[RiskAnswerGiven] = Field(min_length=1, max_length=40)
    level: RiskLevel
    reason: str = Field(max_length=2000)


def suggested_level(answers: list[RiskAnswerGiven]) -> RiskLevel:
    """The highest level a yes calls for; low when no answer is yes. The case worker may set another
    level, with their reason: the questions guide judgement, they do not replace it."""
    called_for = [answer.raises_to for answer in answers if answer.answer == RiskAnswer.YES]
    return max(called_for, key=RISK_LEVELS.index, default=RiskLevel.LOW)


# How long until the risk is reviewed again, by the level just set.
REVIEW_AFTER: dict[RiskLevel, timedelta] = {
    RiskLevel.HIGH: timedelta(days=7),
    RiskLevel.MEDIUM: timedelta(days=14),
    RiskLevel.LOW: timedelta(days=30),
}
# At a high level every follow-up is due within this (those planned later are brought forward).
HIGH_RISK_FOLLOW_UP_WITHIN = timedelta(hours=48)
