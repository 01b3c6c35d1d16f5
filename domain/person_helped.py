"""The person the team helps, who may not be the reporter (a child, a neighbour): what a case worker
records once that person, or their guardian, agreed. Minimal by default: every answer may stay
"unknown", and nothing identifies them by name, number or address."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Known(StrEnum):
    UNKNOWN = "UNKNOWN"
    YES = "YES"
    NO = "NO"


class AgeBand(StrEnum):
    UNKNOWN = "UNKNOWN"
    UNDER_6 = "UNDER_6"
    FROM_6_TO_11 = "FROM_6_TO_11"
    FROM_12_TO_17 = "FROM_12_TO_17"
    FROM_18_TO_24 = "FROM_18_TO_24"
    FROM_25_TO_59 = "FROM_25_TO_59"
    FROM_60 = "FROM_60"


class Sex(StrEnum):
    UNKNOWN = "UNKNOWN"
    FEMALE = "FEMALE"
    MALE = "MALE"
    OTHER = "OTHER"


class HarmerRelation(StrEnum):
    """Who the person who harms is to the person helped."""

    UNKNOWN = "UNKNOWN"
    SPOUSE_OR_PARTNER = "SPOUSE_OR_PARTNER"
    FORMER_PARTNER = "FORMER_PARTNER"
    PARENT_OR_GUARDIAN = "PARENT_OR_GUARDIAN"
    CHILD = "CHILD"
    OTHER_RELATIVE = "OTHER_RELATIVE"
    ACQUAINTANCE = "ACQUAINTANCE"
    STRANGER = "STRANGER"
    OTHER = "OTHER"


class PersonHelped(BaseModel):
    """Each answer defaults to unknown; the texts are short and optional."""

    model_config = ConfigDict(extra="forbid")

    is_reporter: Known = Known.UNKNOWN
    age_band: AgeBand = AgeBand.UNKNOWN
    sex: Sex = Sex.UNKNOWN
    disability: Known = Known.UNKNOWN
    nationality: str | None = Field(None, max_length=60)
    language: str | None = Field(None, max_length=60)
    harmer_relation: HarmerRelation = HarmerRelation.UNKNOWN
    household: str | None = Field(None, max_length=300)  # who lives with them, in the case worker's words
