"""The person helped on the hand-off page (issue 17): after acceptance the case worker records who
is being helped, with "unknown" always allowed and only after they or their guardian agreed; the
page shows the latest record in Thai, every showing of it is in the audit log, another province's
team and the police never see it, and a read-only account gets no form."""

from __future__ import annotations

import asyncpg

from domain.handoff import HandoffStatus
from tests.api.back_office.conftest import Staff, csrf_of
from tests.api.back_office.teams import forwarded_rows
from tests.api.back_office.test_handoff_desk import (
    Team,
    audit_actions,
    forwarded_for_real,
    key_of,
    signed_in,
    team,
    team_acts,
)
from tests.scene import Scene

__all__ = ["team"]  # the fixture

A_CHILD = {"is_reporter": "NO", "age_band": "FROM_6_TO_11", "sex": "FEMALE", "disability": "UNKNOWN",
           "harmer_relation": "PARENT_OR_GUARDIAN", "nationality": "เมียนมา", "language": "พม่า",
           "household": "อยู่กับแม่และพ่อเลี้ยง"}


async def describe(http, handoff_id: str, **fields: str):
    page = await http.get(f"/office/handoffs/{handoff_id}")
    assert f'action="/office/handoffs/{handoff_id}/person"' in page.text, "no form for the person helped"
    return await http.post(f"/office/handoffs/{handoff_id}/person", data={
        "csrf_token": csrf_of(page), "idempotency_key": key_of(page), **fields}, follow_redirects=True)


async def test_the_case_worker_records_the_person_helped_and_the_page_shows_it_in_thai(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id, officer = await forwarded_for_real(scene, staff, browser_like)
    social_worker = await signed_in(browser_like, team.social_worker_account)
    before = await social_worker.get(f"/office/handoffs/{handoff_id}")
    assert f"/office/handoffs/{handoff_id}/person" not in before.text  # nobody has accepted: nothing to record
    await team_acts(social_worker, handoff_id, "ACCEPT")

    recorded = await describe(social_worker, handoff_id, agreed="yes", **A_CHILD)

    assert recorded.status_code == 200 and "บันทึกแล้ว: บันทึกข้อมูลผู้ได้รับความช่วยเหลือ" in recorded.text
    section = recorded.text.split('class="person-helped"')[1].split("</section>")[0]
    for words in ("ไม่ใช่", "6–11 ปี", "หญิง", "พ่อแม่หรือผู้ปกครอง", "เมียนมา", "พม่า", "อยู่กับแม่และพ่อเลี้ยง",
                  team.social_worker.name):
        assert words in section, words
    assert "ความพิการ</dt><dd>ไม่ทราบ" in section
    assert "PERSON_HELPED_VIEWED" in await audit_actions(pool, team.social_worker_account, case_no)

    # The police see the care's outcome on their case page, never who is helped.
    case_page = await officer.get(f"/office/cases/{case_no}")
    assert "อยู่กับแม่และพ่อเลี้ยง" not in case_page.text and "เมียนมา" not in case_page.text
    stranger = await signed_in(browser_like, team.stranger_account)
    assert (await stranger.get(f"/office/handoffs/{handoff_id}")).status_code == 404
    assert (await stranger.post(f"/office/handoffs/{handoff_id}/person", data={
        "csrf_token": csrf_of(await stranger.get("/office/handoffs")), "idempotency_key": "k", "agreed": "yes",
        **A_CHILD})).status_code == 404


async def test_without_the_agreement_nothing_is_recorded_and_the_page_says_why(
        scene: Scene, staff: Staff, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id, _ = await forwarded_for_real(scene, staff, browser_like)
    social_worker = await signed_in(browser_like, team.social_worker_account)
    await team_acts(social_worker, handoff_id, "ACCEPT")

    refused = await describe(social_worker, handoff_id, **A_CHILD)

    assert refused.status_code == 422 and "ต้องได้รับความยินยอม" in refused.text
    assert "ยังไม่ได้บันทึก" in refused.text
    assert await pool.fetchval("SELECT count(*) FROM handoff_events WHERE handoff_id = $1 "
                               "AND kind = 'PERSON_DESCRIBED'", handoff_id) == 0
    assert "PERSON_HELPED_VIEWED" not in await audit_actions(pool, team.social_worker_account, case_no)


async def test_unknown_everywhere_is_a_record_and_a_later_one_replaces_it(
        scene: Scene, staff: Staff, team: Team, browser_like) -> None:
    _, handoff_id, _ = await forwarded_for_real(scene, staff, browser_like)
    coordinator = await signed_in(browser_like, team.coordinator_account)
    await team_acts(coordinator, handoff_id, "ACCEPT")

    first = await describe(coordinator, handoff_id, agreed="yes")  # every answer left at "unknown"
    section = first.text.split('class="person-helped"')[1].split("</section>")[0]
    assert section.count("ไม่ทราบ</dd>") == 8

    later = await describe(coordinator, handoff_id, agreed="yes", age_band="FROM_60", sex="MALE")
    section = later.text.split('class="person-helped"')[1].split("</section>")[0]
    assert "60 ปีขึ้นไป</dd>" in section and "ชาย</dd>" in section
    assert section.count("ไม่ทราบ</dd>") == 6


async def test_a_record_retention_removed_says_so_and_shows_nothing(
        scene: Scene, team: Team, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id = await forwarded_rows(scene, status=HandoffStatus.CLOSED, case_worker=team.coordinator)
    await pool.execute(
        "INSERT INTO handoff_events (handoff_id, event_key, kind, at, actor, details) "
        "VALUES ($1, $2, 'PERSON_DESCRIBED', now(), $3, '{\"anonymised\": true}'::jsonb)",
        handoff_id, f"{handoff_id}:person", f"member:{team.coordinator.member_id}")
    coordinator = await signed_in(browser_like, team.coordinator_account)

    page = await coordinator.get(f"/office/handoffs/{handoff_id}")

    assert page.status_code == 200 and "ลบข้อมูลแล้วตามระยะเวลาการเก็บรักษา" in page.text
    assert "PERSON_HELPED_VIEWED" not in await audit_actions(pool, team.coordinator_account, case_no)
