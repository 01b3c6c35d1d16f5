"""Who may open which back-office page: every role against every page and route, and nobody
without a session. Cross-province attempts are in test_case_desk, test_handoff_desk and test_dashboard."""

from __future__ import annotations

import pytest

from domain.accounts import AccountRole
from tests.api.back_office.conftest import Staff, csrf_of, open_routed_case, sign_in
from tests.api.back_office.teams import handoff_row
from tests.api.conftest import RunningApi
from tests.scene import Scene

ALL = frozenset(AccountRole)
ADMINISTRATORS = frozenset({AccountRole.SUPERADMIN, AccountRole.PROVINCE_ADMIN})
NATIONAL = frozenset({AccountRole.SUPERADMIN})
POLICE_SIDE = ALL - {AccountRole.TEAM_MEMBER}
# The team's pages hold the care plan and its notes: the team and administrators read them.
TEAM_SIDE = {AccountRole.TEAM_MEMBER, *ADMINISTRATORS}
# (path, the roles that get 200; a team is sent to its inbox from the police case list; every other
# role gets 403)
PAGES = [
    ("/office/cases", POLICE_SIDE),
    ("/office/cases/rows", POLICE_SIDE),
    ("/office/handoffs", TEAM_SIDE),
    ("/office/agencies", TEAM_SIDE),
    ("/office/dashboard", ALL),
    ("/office/dashboard/cases.xlsx", ALL),
    ("/office/dashboard/report.xlsx", ALL),
    ("/office/map", POLICE_SIDE),
    ("/office/map/cases.json", POLICE_SIDE),
    ("/office/password", ALL),
    ("/office/officers", ADMINISTRATORS | {AccountRole.CENTRE_OPERATOR}),
    ("/office/settings", ADMINISTRATORS),
    ("/office/accounts", ADMINISTRATORS),
    ("/office/audit", NATIONAL),
]
SENT_TO_THE_INBOX = {"/office/cases", "/office/cases/rows"}
STAFF_BY_ROLE = {AccountRole.SUPERADMIN: "superadmin", AccountRole.PROVINCE_ADMIN: "province_admin",
                 AccountRole.CENTRE_OPERATOR: "centre_operator", AccountRole.STATION_OFFICER: "station_officer",
                 AccountRole.TEAM_MEMBER: "team_member"}


async def test_every_page_needs_a_session(api: RunningApi, scene: Scene) -> None:
    case_no, _ = await open_routed_case(scene)
    handoff_id = await handoff_row(scene, case_no)
    for path, _ in [*PAGES, (f"/office/cases/{case_no}", ALL), (f"/office/handoffs/{handoff_id}", ALL)]:
        response = await api.http.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/office/sign-in"), path
    # Complete, valid forms: only the missing session can stop them.
    forms = {
        "/office/accounts": {"username": "no-session", "display_name": "x", "role": "TEAM_MEMBER",
                             "province_code": "10", "password": "long enough password"},
        "/office/settings/incident-types/GATHERING": {"label_th": "x", "label_en": "x", "rung-0-minutes": "0",
                                                      "rung-0-STATION": "on"},
        f"/office/cases/{case_no}/actions": {"kind": "ACKNOWLEDGE", "idempotency_key": "no-session"},
        f"/office/handoffs/{handoff_id}/actions": {"kind": "ADD_NOTE", "note": "x", "idempotency_key": "no-session"},
        "/office/sign-out": {},
        "/office/password": {"current": "x", "new": "long enough password"},
    }
    for path, form in forms.items():
        response = await api.http.post(path, data={"csrf_token": "guessed", **form})
        assert response.status_code == 303 and response.headers["location"].startswith("/office/sign-in"), path
    assert await scene.pool.fetchval("SELECT count(*) FROM accounts WHERE username = 'no-session'") == 0
    assert await scene.pool.fetchval("SELECT status FROM cases WHERE case_no = $1", case_no) == "NEW"
    assert await scene.pool.fetchval("SELECT count(*) FROM handoff_events WHERE handoff_id = $1", handoff_id) == 1


@pytest.mark.parametrize("role", list(STAFF_BY_ROLE), ids=[role.value for role in STAFF_BY_ROLE])
async def test_each_role_opens_exactly_its_pages(role: AccountRole, staff: Staff, browser_like) -> None:
    http = browser_like()
    await sign_in(http, getattr(staff, STAFF_BY_ROLE[role]))
    for path, allowed in PAGES:
        response = await http.get(path)
        if role == AccountRole.TEAM_MEMBER and path in SENT_TO_THE_INBOX:
            assert response.status_code == 303 and response.headers["location"] == "/office/handoffs", path
            continue
        assert response.status_code == (200 if role in allowed else 403), (path, response.status_code)


@pytest.mark.parametrize("role", list(STAFF_BY_ROLE), ids=[role.value for role in STAFF_BY_ROLE])
async def test_each_role_opens_a_forwarded_case_and_its_hand_off_as_its_side_may(
        role: AccountRole, scene: Scene, staff: Staff, browser_like) -> None:
    """The police open the case (its panel shows the hand-off's outcome); the team reads only the
    hand-off; administrators both."""
    case_no, _ = await open_routed_case(scene)
    handoff_id = await handoff_row(scene, case_no)
    http = browser_like()
    await sign_in(http, getattr(staff, STAFF_BY_ROLE[role]))
    case_page = await http.get(f"/office/cases/{case_no}")
    handoff_page = await http.get(f"/office/handoffs/{handoff_id}")
    assert case_page.status_code == (404 if role == AccountRole.TEAM_MEMBER else 200)
    assert handoff_page.status_code == (200 if role in TEAM_SIDE else 403)


@pytest.mark.parametrize("role", list(STAFF_BY_ROLE), ids=[role.value for role in STAFF_BY_ROLE])
async def test_only_administrators_change_settings_and_accounts(role: AccountRole, staff: Staff, browser_like) -> None:
    http = browser_like()
    await sign_in(http, getattr(staff, STAFF_BY_ROLE[role]))
    token = csrf_of(await http.get("/office/password"))
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
