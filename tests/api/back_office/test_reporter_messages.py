"""The reporter's messages on the desk: the case list counts, per account, those it has not read
(opening the case page reads them); the open case page shows new ones at the top by itself."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from activities.cases import CaseStore
from domain.models import CaseEvent
from tests.api.back_office.conftest import Staff, open_routed_case, sign_in
from tests.scene import Scene


async def signed_in(browser_like, person) -> httpx.AsyncClient:
    http = browser_like()
    assert (await sign_in(http, person)).status_code == 303
    return http


async def reporter_writes(scene: Scene, case_no: str, text: str) -> None:
    """A reporter's message on the case's timeline, written as the case workflow writes it."""
    await CaseStore(scene.pool, download_content=None).append_case_event(CaseEvent(
        key=f"{case_no}:message-{uuid.uuid4().hex}", case_no=case_no, kind="REPORTER_MESSAGE",
        at=datetime.now(UTC), actor="reporter", details={"message_type": "text", "text": text}))


async def unread_on_the_list(http: httpx.AsyncClient, case_no: str) -> int:
    rows = (await http.get("/office/cases/rows?status=ALL")).text
    row = rows.split(f'data-case="{case_no}"')[1].split("</tr>")[0]
    return int(row.split('data-unread="')[1].split('"')[0])


async def test_the_list_counts_the_reporter_messages_each_account_has_not_read(
        scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    officer = await signed_in(browser_like, staff.station_officer)
    operator = await signed_in(browser_like, staff.centre_operator)
    await reporter_writes(scene, case_no, "เขายังอยู่หน้าบ้าน มีมีดด้วย")
    await reporter_writes(scene, case_no, "รีบมาด้วย")
    assert await unread_on_the_list(officer, case_no) == 2

    assert (await officer.get(f"/office/cases/{case_no}")).status_code == 200  # read them
    assert await unread_on_the_list(officer, case_no) == 0
    assert await unread_on_the_list(operator, case_no) == 2  # each account its own
    await reporter_writes(scene, case_no, "เขากลับมาอีกแล้ว")
    assert await unread_on_the_list(officer, case_no) == 1


async def test_new_messages_since_the_page_opened_come_newest_first_and_count_as_read(
        scene: Scene, staff: Staff, browser_like) -> None:
    case_no, _ = await open_routed_case(scene)
    officer = await signed_in(browser_like, staff.station_officer)
    page = (await officer.get(f"/office/cases/{case_no}")).text
    after = page.split('data-after="')[1].split('"')[0]
    await reporter_writes(scene, case_no, "ข้อความแรก")
    await reporter_writes(scene, case_no, "ข้อความที่สอง")
    fresh = (await officer.get(f"/office/cases/{case_no}/messages?after={after}")).text
    assert fresh.index("ข้อความที่สอง") < fresh.index("ข้อความแรก")
    assert await unread_on_the_list(officer, case_no) == 0
