"""Who may open which back-office page: every role against every page and route, and nobody
without a session. Cross-province attempts are in test_case_desk and test_dashboard."""

from __future__ import annotations

import pytest

from domain.accounts import AccountRole
from tests.api.back_office.conftest import Staff, csrf_of, open_routed_case, sign_in
from tests.api.conftest import RunningApi
from tests.scene import Scene

ALL = frozenset(AccountRole)
ADMINISTRATORS = frozenset({AccountRole.SUPERADMIN, AccountRole.PROVINCE_ADMIN})
NATIONAL = frozenset({AccountRole.SUPERADMIN})
# (path, the roles that get 200; every other role gets 403)
PAGES = [
    ("/office/cases", ALL),
    ("/office/cases/rows", ALL),
    ("/office/dashboard", ALL),
    ("/office/dashboard/cases.xlsx", ALL),
    ("/office/dashboard/report.xlsx", ALL),
    ("/office/map", ALL),
    ("/office/map/cases.json", ALL),
    ("/office/password", ALL),
    ("/office/officers", ADMINISTRATORS | {AccountRole.CENTRE_OPERATOR}),
    ("/office/settings", ADMINISTRATORS),
    ("/office/accounts", ADMINISTRATORS),
    ("/office/audit", NATIONAL),
]
STAFF_BY_ROLE = {AccountRole.SUPERADMIN: "superadmin", AccountRole.PROVINCE_ADMIN: "province_admin",
                 AccountRole.CENTRE_OPERATOR: "centre_operator", AccountRole.STATION_OFFICER: "station_officer",
                 AccountRole.TEAM_MEMBER: "team_member"}


async def test_every_page_needs_a_session(api: RunningApi, scene: Scene) -> None:
    case_no, _ = await open_routed_case(scene)
    for path, _ in [*PAGES, (f"/office/cases/{case_no}", ALL)]:
        response = await api.http.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/office/sign-in"), path
    # Complete, valid forms: only the missing session can stop them.
    forms = {
        "/office/accounts": {"username": "no-session", "display_name": "x", "role": "TEAM_MEMBER",
                             "province_code": "10", "password": "long enough password"},
        "/office/settings/incident-types/GATHERING": {"label_th": "x", "label_en": "x", "rung-0-minutes": "0",
                                                      "rung-0-STATION": "on"},
        f"/office/cases/{case_no}/actions": {"kind": "ACKNOWLEDGE", "idempotency_key": "no-session"},
        "/office/sign-out": {},
        "/office/password": {"current": "x", "new": "long enough password"},
    }
    for path, form in forms.items():
        response = await api.http.post(path, data={"csrf_token": "guessed", **form})
        assert response.status_code == 303 and response.headers["location"].startswith("/office/sign-in"), path
    assert await scene.pool.fetchval("SELECT count(*) FROM accounts WHERE username = 'no-session'") == 0
    assert await scene.pool.fetchval("SELECT status FROM cases WHERE case_no = $1", case_no) == "NEW"


@pytest.mark.parametrize("role", list(STAFF_BY_ROLE), ids=[role.value for role in STAFF_BY_ROLE])
async def test_each_role_opens_exactly_its_pages(role: AccountRole, staff: Staff, browser_like) -> None:
    http = browser_like()
    await sign_in(http, getattr(staff, STAFF_BY_ROLE[role]))
    for path, allowed in PAGES:
        response = await http.get(path)
        assert response.status_code == (200 if role in allowed else 403), (path, response.status_code)


@pytest.mark.parametrize("role", list(STAFF_BY_ROLE), ids=[role.value for role in STAFF_BY_ROLE])
async def test_only_administrators_change_settings_and_accounts(role: AccountRole, staff: Staff, browser_like) -> None:
    http = browser_like()
    await sign_in(http, getattr(staff, STAFF_BY_ROLE[role]))
    token = csrf_of(await http.get("/office/cases"))
    settings = await http.post("/office/settings/incident-types/NO_SUCH_TYPE", data={
        "csrf_token": token, "label_th": "ทดสอบ", "label_en": "Test", "sort_order": "99", "rung-0-minutes": "0",
        "rung-0-STATION": "on"})
    assert settings.status_code == (303 if role in NATIONAL else 403)
    created = await http.post("/office/accounts", data={
        "csrf_token": token, "username": f"made-by-{role.value.lower().replace('_', '-')}", "display_name": "ทดสอบ",
        "role": "TEAM_MEMBER", "province_code": "10", "password": "long enough password"})
    assert created.status_code == (303 if role in ADMINISTRATORS else 403)
    code = await http.post("/office/accounts/registration-code", data={"csrf_token": token, "officer_code": "x"})
    assert code.status_code == (404 if role in ADMINISTRATORS else 403)  # an administrator: no such officer


async def test_a_form_without_its_token_changes_nothing(staff: Staff, browser_like) -> None:
    http = browser_like()
    await sign_in(http, staff.superadmin)
    refused = await http.post("/office/settings/incident-types/GATHERING", data={
        "label_th": "x", "label_en": "x", "rung-0-minutes": "0", "rung-0-STATION": "on"})
    assert refused.status_code == 403
