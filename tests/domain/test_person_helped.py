"""The person helped: every answer may stay unknown, texts are short, and nothing else can be added
to the record (no name, number or address field to fill)."""

from __future__ import annotations

import pydantic
import pytest

from domain.handoff import (
    FINAL_HANDOFF_STATUSES,
    HandoffStatus,
    IllegalTeamAction,
    TeamActionKind,
    handoff_status_after,
)
from domain.person_helped import AgeBand, HarmerRelation, Known, PersonHelped, Sex


def test_an_empty_record_says_unknown_everywhere() -> None:
    person = PersonHelped()

    assert (person.is_reporter, person.age_band, person.sex, person.disability, person.harmer_relation) == (
        Known.UNKNOWN, AgeBand.UNKNOWN, Sex.UNKNOWN, Known.UNKNOWN, HarmerRelation.UNKNOWN)
    assert (person.nationality, person.language, person.household) == (None, None, None)


@pytest.mark.parametrize(("field", "limit"), [("nationality", 60), ("language", 60), ("household", 300)])
def test_texts_are_short(field: str, limit: int) -> None:
    PersonHelped.model_validate({field: "ก" * limit})
    with pytest.raises(pydantic.ValidationError):
        PersonHelped.model_validate({field: "ก" * (limit + 1)})


def test_nothing_beyond_the_form_can_be_recorded() -> None:
    with pytest.raises(pydantic.ValidationError):
        PersonHelped.model_validate({"name": "ด.ญ. ตัวอย่าง"})


def test_the_person_is_recorded_only_while_in_care() -> None:
    assert handoff_status_after(HandoffStatus.IN_CARE, TeamActionKind.DESCRIBE_PERSON) == HandoffStatus.IN_CARE
    for status in {HandoffStatus.AWAITING, *FINAL_HANDOFF_STATUSES}:
        with pytest.raises(IllegalTeamAction):
            handoff_status_after(status, TeamActionKind.DESCRIBE_PERSON)
