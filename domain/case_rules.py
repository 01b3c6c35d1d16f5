"""What may happen to a case, and who may do it. Pure rules, shared by the case workflow's update
validators and the API's scoping, so both always agree. Stdlib and our models only."""

from __future__ import annotations

from domain.models import ActionKind, CaseStatus, Officer, OfficerRole

STATION_ROLES = frozenset(
    {OfficerRole.RADIO_ROOM, OfficerRole.SUPERINTENDENT, OfficerRole.INSPECTOR, OfficerRole.DEPUTY_INSPECTOR,
     OfficerRole.PATROL}
)
PROVINCE_ROLES = frozenset({OfficerRole.CENTRE_191, OfficerRole.COMMANDER, OfficerRole.DEPUTY_COMMANDER})

# What a case's status means: each set is defined here once, and named for what it says.
# The police can still act on the case: close it, find nothing, call it a prank, forward it, move it.
# RETURNED is one: the multidisciplinary team gave the case back, and its station works on it again.
ACTIONABLE = frozenset({CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.RETURNED})
# The police's part is over, with its outcome: the case row stamps when, and keeps the officer's note.
# FORWARDED is one: the case is in the team's hands (and may yet come back RETURNED). HANDED_OVER is
# one: the team accepted it, and looks after the victim from then on; only a note may be added.
ENDED_BY_POLICE = frozenset({CaseStatus.CLOSED, CaseStatus.NOT_FOUND, CaseStatus.PRANK, CaseStatus.FORWARDED,
                             CaseStatus.HANDED_OVER})
# Forwarded, waiting for the team's answer: accepted makes it HANDED_OVER, handed back RETURNED.
AWAITING_TEAM = frozenset({CaseStatus.FORWARDED})
# Forwarded and not given back: the cases a multidisciplinary team sees (waiting for its answer, or
# accepted and in its care).
WITH_TEAM = AWAITING_TEAM | {CaseStatus.HANDED_OVER}
# Not over yet: the police may act on it, or the team may still hand it back. What the reporter sends
# goes to such a case, and an officer may still write to the reporter.
IN_PROGRESS = ACTIONABLE | AWAITING_TEAM

# The status an action leads to, from the statuses it is allowed in.
_TRANSITIONS: dict[ActionKind, tuple[frozenset[CaseStatus], CaseStatus | None]] = {
    ActionKind.ACKNOWLEDGE: (frozenset({CaseStatus.NEW}), CaseStatus.ACKNOWLEDGED),
    ActionKind.CLOSE: (ACTIONABLE, CaseStatus.CLOSED),
    ActionKind.NOT_FOUND: (ACTIONABLE, CaseStatus.NOT_FOUND),
    ActionKind.PRANK: (ACTIONABLE, CaseStatus.PRANK),
    ActionKind.FORWARD: (ACTIONABLE, CaseStatus.FORWARDED),
    ActionKind.REASSIGN: (ACTIONABLE, None),
    ActionKind.ADD_NOTE: (frozenset(CaseStatus), None),
    ActionKind.MESSAGE_REPORTER: (IN_PROGRESS, None),
}
NEEDS_NOTE = frozenset(
    {ActionKind.CLOSE, ActionKind.NOT_FOUND, ActionKind.PRANK, ActionKind.FORWARD, ActionKind.ADD_NOTE,
     ActionKind.MESSAGE_REPORTER}
)


# Said to an officer about a case outside their area, whatever its state: it tells nothing about the case.
OUTSIDE_JURISDICTION = ("เรื่องนี้อยู่นอกพื้นที่ของท่าน", "this case is outside your jurisdiction")
# Said to an officer within the case's area who taps a button of the case once it has ended.
CASE_ENDED = ("เรื่องนี้ปิดไปแล้ว", "this case has ended")


class IllegalTransition(ValueError):
    pass


def status_after(current: CaseStatus, kind: ActionKind) -> CaseStatus:
    """The case's status after the action; raises IllegalTransition when it is not allowed now."""
    allowed_from, to = _TRANSITIONS[kind]
    if current not in allowed_from:
        raise IllegalTransition(f"{kind.value} is not possible on a case that is {current.value}")
    return to or current


def allowed_actions(current: CaseStatus) -> list[ActionKind]:
    """The actions a case's status allows now, in ActionKind's order: the only ones worth offering."""
    return [kind for kind, (allowed_from, _) in _TRANSITIONS.items() if current in allowed_from]


def within_jurisdiction(officer: Officer, province_code: str | None, station_id: int | None) -> bool:
    """The national desk sees every case; 191 centres and commanders their province's; station
    officers their station's."""
    if officer.role == OfficerRole.NATIONAL_DESK:
        return True
    if officer.role in PROVINCE_ROLES:
        return officer.province_code is not None and officer.province_code == province_code
    return officer.station_id is not None and officer.station_id == station_id
