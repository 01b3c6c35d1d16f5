"""Each status set has one owner and one meaning: a case is either actionable by the police or ended by
them (FORWARDED among the ended: the team has it), and it is in progress while the police or the team
may still act on it."""

from __future__ import annotations

import pytest

from domain.case_rules import (
    ACTIONABLE,
    AWAITING_TEAM,
    ENDED_BY_POLICE,
    IN_PROGRESS,
    WITH_TEAM,
    IllegalTransition,
    status_after,
)
from domain.handoff import FINAL_HANDOFF_STATUSES, OPEN_HANDOFF_STATUSES, HandoffStatus
from domain.models import ActionKind, CaseStatus


def test_every_case_status_is_either_actionable_or_ended_by_the_police() -> None:
    assert set(CaseStatus) == ACTIONABLE | ENDED_BY_POLICE
    assert not ACTIONABLE & ENDED_BY_POLICE


def test_a_forwarded_case_is_ended_by_the_police_yet_in_progress_until_the_team_answers() -> None:
    assert {CaseStatus.FORWARDED} == AWAITING_TEAM and AWAITING_TEAM <= ENDED_BY_POLICE
    assert IN_PROGRESS == ACTIONABLE | AWAITING_TEAM
    assert IN_PROGRESS.isdisjoint({CaseStatus.CLOSED, CaseStatus.NOT_FOUND, CaseStatus.PRANK})


@pytest.mark.parametrize("status", sorted(CaseStatus))
def test_the_police_end_a_case_only_while_it_is_actionable(status: CaseStatus) -> None:
    if status in ACTIONABLE:
        assert status_after(status, ActionKind.CLOSE) == CaseStatus.CLOSED
    else:
        with pytest.raises(IllegalTransition):
            status_after(status, ActionKind.CLOSE)


@pytest.mark.parametrize("status", sorted(CaseStatus))
def test_an_officer_writes_to_the_reporter_while_the_case_is_in_progress(status: CaseStatus) -> None:
    if status in IN_PROGRESS:
        assert status_after(status, ActionKind.MESSAGE_REPORTER) == status
    else:
        with pytest.raises(IllegalTransition):
            status_after(status, ActionKind.MESSAGE_REPORTER)


def test_every_hand_off_status_is_either_open_or_final() -> None:
    assert set(HandoffStatus) == OPEN_HANDOFF_STATUSES | FINAL_HANDOFF_STATUSES
    assert not OPEN_HANDOFF_STATUSES & FINAL_HANDOFF_STATUSES


def test_a_case_handed_over_to_the_team_is_ended_by_the_police_and_no_longer_in_progress() -> None:
    assert CaseStatus.HANDED_OVER in ENDED_BY_POLICE
    assert CaseStatus.HANDED_OVER not in ACTIONABLE | IN_PROGRESS | AWAITING_TEAM
    assert {CaseStatus.FORWARDED, CaseStatus.HANDED_OVER} == WITH_TEAM  # forwarded and not given back


@pytest.mark.parametrize("kind", sorted(ActionKind))
def test_only_a_note_may_be_added_to_a_case_handed_over(kind: ActionKind) -> None:
    if kind == ActionKind.ADD_NOTE:
        assert status_after(CaseStatus.HANDED_OVER, kind) == CaseStatus.HANDED_OVER
    else:
        with pytest.raises(IllegalTransition):
            status_after(CaseStatus.HANDED_OVER, kind)
