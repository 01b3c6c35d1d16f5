"""The team's caseloads (issue 17): per member, the cares they are case worker of, follow-ups due
within 48 hours and overdue, and the longest time since a care had contact (a follow-up recorded
as done, or the acceptance); the cares themselves, one member's on request; a reassignment to
another member through the hand-off workflow. Only the province's own team and administrators see
it; national accounts choose the province; every view is in the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import asyncpg

from domain.handoff import HandoffStatus, TeamMember
from tests.api.back_office.conftest import Staff, csrf_of
from tests.api.back_office.teams import forwarded_rows
from tests.api.back_office.test_handoff_desk import Team, audit_actions, forwarded_for_real, signed_in, team, team_acts
from tests.scene import Scene
from tests.waiting import eventually

__all__ = ["team"]  # the fixture

NOW = datetime.now(UTC)


def row(page_text: str, attribute: str, value: object) -> str:
    found = re.search(rf'<tr data-{attribute}="{value}".*?</tr>', page_text, re.S)
    assert found, f"no row {attribute}={value}"
    return found.group(0)


def cell(row_text: str, name: str) -> str:
    found = re.search(rf'class="{name}"[^>]*>([^<]*)<', row_text)
    assert found, f"no {name} in {row_text}"
    return found.group(1).strip()


async def care_of(scene: Scene, member: TeamMember, accepted_days_ago: int) -> str:
    """A care in progress with this case worker, accepted that many days ago."""
    _, handoff_id = await forwarded_rows(scene, status=HandoffStatus.IN_CARE, case_worker=member,
                                         forwarded_at=NOW - timedelta(days=accepted_days_ago, hours=1))
    return handoff_id


async def follow_up(pool: asyncpg.Pool, handoff_id: str, number: int, due_in: timedelta,
                    done_days_ago: int | None = None) -> None:
    """A call due `due_in` from now: planned, or done that many days ago."""
    done = done_days_ago is not None
    await pool.execute(
        "INSERT INTO follow_ups (handoff_id, number, kind, due_at, planned_at, status, outcome, recorded_at) "
        "VALUES ($1, $2, 'CALL', $3, $4, $5, $6, $7)",
        handoff_id, number, NOW + due_in, NOW - timedelta(days=30), "DONE" if done else "PLANNED",
        "โทรแล้ว" if done else None, NOW - timedelta(days=done_days_ago) if done_days_ago is not None else None)


async def test_each_member_s_load_counts_cares_due_soon_overdue_and_the_longest_without_contact(
        scene: Scene, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    first = await care_of(scene, team.social_worker, accepted_days_ago=20)
    await follow_up(pool, first, 1, -timedelta(days=12), done_days_ago=9)  # last contact 9 days ago
    await follow_up(pool, first, 2, -timedelta(hours=5))  # overdue
    await follow_up(pool, first, 3, timedelta(hours=20))  # due soon
    second = await care_of(scene, team.social_worker, accepted_days_ago=3)  # no contact since acceptance
    await follow_up(pool, second, 1, timedelta(days=5))  # later than soon
    await care_of(scene, team.coordinator, accepted_days_ago=1)
    coordinator = await signed_in(browser_like, team.coordinator_account)

    page = await coordinator.get("/office/handoffs/caseload")

    assert page.status_code == 200
    worker = row(page.text, "member", team.social_worker.member_id)
    assert (cell(worker, "open-cares"), cell(worker, "due-soon"), cell(worker, "overdue-count")) == ("2", "1", "1")
    assert cell(worker, "without-contact") == "9 วัน"
    mine = row(page.text, "member", team.coordinator.member_id)
    assert (cell(mine, "open-cares"), cell(mine, "overdue-count"), cell(mine, "without-contact")) == ("1", "0", "1 วัน")
    # The cares: the overdue one first.
    assert page.text.index(f'data-handoff="{first}"') < page.text.index(f'data-handoff="{second}"')
    assert "CASELOAD_VIEWED" in await audit_actions_of(pool, team.coordinator_account.username)

    only_theirs = await coordinator.get(f"/office/handoffs/caseload?worker={team.social_worker.member_id}")
    assert f'data-handoff="{first}"' in only_theirs.text and f'data-handoff="{second}"' in only_theirs.text
    assert only_theirs.text.count('<tr data-handoff="') == 2


async def test_a_care_accepted_a_moment_ago_counts_no_time_without_contact(
        scene: Scene, team: Team, browser_like) -> None:
    # The read model's acceptance an hour after a forward made now: a few minutes "ahead" of the page.
    await forwarded_rows(scene, status=HandoffStatus.IN_CARE, case_worker=team.social_worker)
    coordinator = await signed_in(browser_like, team.coordinator_account)

    page = await coordinator.get("/office/handoffs/caseload")

    assert cell(row(page.text, "member", team.social_worker.member_id), "without-contact") == "0 วัน"


async def test_another_province_s_team_and_the_police_see_none_of_it(
        scene: Scene, staff: Staff, team: Team, browser_like) -> None:
    handoff_id = await care_of(scene, team.social_worker, accepted_days_ago=2)
    stranger = await signed_in(browser_like, team.stranger_account)
    theirs = await stranger.get("/office/handoffs/caseload")
    assert theirs.status_code == 200 and f'data-handoff="{handoff_id}"' not in theirs.text
    assert f'data-member="{team.social_worker.member_id}"' not in theirs.text
    province = scene.district["province_code"]
    assert (await stranger.get(f"/office/handoffs/caseload?province={province}")).status_code == 200  # own still
    assert f'data-handoff="{handoff_id}"' not in (
        await stranger.get(f"/office/handoffs/caseload?province={province}")).text
    foreign_admin = await signed_in(browser_like, staff.foreign_admin)
    assert f'data-handoff="{handoff_id}"' not in (await foreign_admin.get("/office/handoffs/caseload")).text
    police = await signed_in(browser_like, staff.station_officer)
    assert (await police.get("/office/handoffs/caseload")).status_code == 403


async def test_a_national_account_chooses_the_province(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    handoff_id = await care_of(scene, team.social_worker, accepted_days_ago=2)
    national = await signed_in(browser_like, staff.superadmin)
    choose = await national.get("/office/handoffs/caseload")
    assert choose.status_code == 200 and 'name="province"' in choose.text and "data-handoff" not in choose.text

    province = scene.district["province_code"]
    shown = await national.get(f"/office/handoffs/caseload?province={province}")

    assert f'data-handoff="{handoff_id}"' in shown.text
    assert 'data-action="ASSIGN"' not in shown.text  # an administrator reads; the team acts
    assert "CASELOAD_VIEWED" in await audit_actions_of(pool, staff.superadmin.username)


async def audit_actions_of(pool: asyncpg.Pool, username: str) -> list[str]:
    rows = await pool.fetch("SELECT a.action FROM audit_log a JOIN accounts u ON u.id = a.account_id "
                            "WHERE u.username = $1 ORDER BY a.id", username)
    return [r["action"] for r in rows]


async def test_a_care_is_reassigned_from_the_caseload_through_the_workflow(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id, _ = await forwarded_for_real(scene, staff, browser_like)
    coordinator = await signed_in(browser_like, team.coordinator_account)
    await team_acts(coordinator, handoff_id, "ACCEPT")  # the coordinator is the case worker
    page = await coordinator.get("/office/handoffs/caseload")
    care = row(page.text, "handoff", handoff_id)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', care).group(1)

    assigned = await coordinator.post(f"/office/handoffs/{handoff_id}/actions", data={
        "csrf_token": csrf_of(page), "idempotency_key": key, "kind": "ASSIGN",
        "case_worker_id": str(team.social_worker.member_id)}, follow_redirects=True)

    assert assigned.status_code == 200 and "บันทึกแล้ว: มอบหมายผู้ดูแล" in assigned.text
    assert await eventually(lambda: pool.fetchval(
        "SELECT case_worker_id = $2 FROM handoffs WHERE handoff_id = $1", handoff_id, team.social_worker.member_id))
    after = await coordinator.get("/office/handoffs/caseload")
    assert cell(row(after.text, "member", team.social_worker.member_id), "open-cares") == "1"
    assert "HANDOFF_ACTION" in await audit_actions(pool, team.coordinator_account, case_no)
