"""What the case could not do is shown on its page, never hidden: a file LINE would not give, and a
LINE message that never got through (to whom, by role)."""

from __future__ import annotations

from datetime import UTC, datetime

from activities.cases import CaseStore
from domain.models import CaseEvent
from tests.api.back_office.conftest import Staff, sign_in
from tests.scene import Scene


async def test_a_file_not_fetched_and_a_message_not_delivered_are_on_the_case_page(
        scene: Scene, staff: Staff, browser_like) -> None:
    case_no = (await scene.recorded_case()).case_no
    store = CaseStore(scene.pool, download_content=None)
    now = datetime.now(UTC)
    await store.append_case_event(CaseEvent(key=f"{case_no}:routed-test", case_no=case_no, kind="ROUTED", at=now,
                                            actor="system", details={"station_id": scene.station_id}))
    await store.append_case_event(CaseEvent(
        key=f"{case_no}:photo-failed", case_no=case_no, kind="ATTACHMENT_FAILED", at=now, actor="reporter",
        details={"message_type": "image", "reason": "LineRejected"}))
    await store.append_case_event(CaseEvent(
        key=f"{case_no}:undelivered", case_no=case_no, kind="MESSAGE_UNDELIVERED", at=now, actor="system",
        details={"to": "reporter", "prompt": "from_officer"}))
    http = browser_like()
    assert (await sign_in(http, staff.station_officer)).status_code == 303

    page = (await http.get(f"/office/cases/{case_no}")).text
    timeline = page.split('<ol class="timeline">', 1)[1]
    assert "ดึงไฟล์ที่ผู้แจ้งส่งมาไม่ได้" in timeline and "ATTACHMENT_FAILED" not in timeline
    assert "ส่งข้อความทาง LINE ไม่สำเร็จ" in timeline and "ถึงผู้แจ้ง" in timeline
    assert "MESSAGE_UNDELIVERED" not in timeline
