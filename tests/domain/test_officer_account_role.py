"""The role of the account a linked officer's first sign-in with LINE creates: whatever the officer's
role, the account sees exactly the cases the officer is alerted for; the national desk gets none."""

from __future__ import annotations

import pytest

from domain.accounts import Account, AccountRole, officer_account_role
from domain.models import Officer, OfficerRole
from domain.scope import CaseScope

PROVINCE = "50"
STATION = 5001


def officer(role: OfficerRole, *, station_id: int | None = STATION, province_code: str | None = PROVINCE) -> Officer:
    return Officer(officer_id=7, name="ร.ต.อ. ทดสอบ", role=role, station_id=station_id, province_code=province_code)


@pytest.mark.parametrize("role", [role for role in OfficerRole if role != OfficerRole.NATIONAL_DESK])
def test_the_account_sees_the_cases_its_officer_is_alerted_for(role: OfficerRole) -> None:
    # A commander has no station; a 191 centre's officer belongs to the centre, a station of the province.
    station = None if role in (OfficerRole.COMMANDER, OfficerRole.DEPUTY_COMMANDER) else STATION
    person = officer(role, station_id=station)
    account_role = officer_account_role(person)
    assert account_role is not None
    account = Account(account_id=1, username="line-officer-7", display_name=person.name, role=account_role,
                      province_code=person.province_code, station_id=person.station_id, officer_id=person.officer_id)
    assert account.scope == CaseScope.of_officer(person)


@pytest.mark.parametrize(("role", "expected"), [
    (OfficerRole.INSPECTOR, AccountRole.STATION_OFFICER),
    (OfficerRole.CENTRE_191, AccountRole.CENTRE_OPERATOR),
    (OfficerRole.COMMANDER, AccountRole.CENTRE_OPERATOR),
    (OfficerRole.DEPUTY_COMMANDER, AccountRole.CENTRE_OPERATOR),
])
def test_a_station_officer_acts_for_the_station_and_a_province_officer_for_the_province(
        role: OfficerRole, expected: AccountRole) -> None:
    assert officer_account_role(officer(role)) == expected


def test_the_national_desk_gets_no_account_a_national_scope_is_an_administrators_grant() -> None:
    assert officer_account_role(officer(OfficerRole.NATIONAL_DESK, station_id=None, province_code=None)) is None


def test_an_officer_without_the_station_or_province_their_role_needs_gets_none() -> None:
    assert officer_account_role(officer(OfficerRole.PATROL, station_id=None)) is None
    assert officer_account_role(officer(OfficerRole.COMMANDER, station_id=None, province_code=None)) is None
