"""An acknowledgement tapped on LINE is in the audit log under the officer who tapped it, once,
however often LINE delivers the tap; the back office and the JSON API write their own entries."""

from __future__ import annotations

import uuid

from line_simulator import events
from tests.conversation import text_of
from tests.scene import Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow


async def line_actions(scene: Scene, case_no: str) -> list[tuple[int, str, str, str]]:
    rows = await scene.pool.fetch(
        "SELECT officer_id, account_id, details FROM audit_log WHERE case_no = $1 AND action = 'CASE_ACTION' "
        "ORDER BY id", case_no)
    assert all(row["account_id"] is None for row in rows)
    return [(row["officer_id"], row["details"]["via"], row["details"]["kind"], row["details"]["event_id"])
            for row in rows]


async def test_an_acknowledgement_tapped_on_line_is_audited_under_the_officer_once(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    await inspector.hears()  # the alert
    tap = await inspector.taps("รับทราบ")
    [done] = await inspector.hears()
    assert "รับทราบ" in text_of(done)
    expected = [(live_scene.station_officer.officer_id, "line", "ACKNOWLEDGE", tap["webhookEventId"])]
    assert await eventually(lambda: line_actions(live_scene, case_no)) == expected
    await inspector.do(events.redelivered(tap))  # LINE did not hear our answer and sends the tap again
    await inspector.hears_nothing(within=2.0)
    assert await line_actions(live_scene, case_no) == expected
    assert str(await handle.query(CaseWorkflow.status)) == "ACKNOWLEDGED"


async def test_a_refused_tap_is_not_audited_as_an_action(live_scene: Scene) -> None:
    case_no, _ = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    [alert] = await inspector.hears()
    first = await inspector.taps("รับทราบ")
    await inspector.hears()
    await inspector.taps("รับทราบ", in_message=alert)  # already acknowledged: refused
    [again] = await inspector.hears()
    assert "ทำรายการไม่ได้" in text_of(again)
    assert [entry[3] for entry in await line_actions(live_scene, case_no)] == [first["webhookEventId"]]


async def test_an_action_the_audit_log_refuses_still_stands_and_is_a_failed_step(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    await inspector.hears()  # the alert
    # Our own bug, played by the database: it refuses this case's audit entries for good.
    refuse = f"refuse_{uuid.uuid4().hex[:8]}"
    await live_scene.pool.execute(f"""
        create function {refuse}() returns trigger language plpgsql as $$
        begin
          if new.case_no = '{case_no}' and new.action = 'CASE_ACTION' then
            raise exception 'refused' using errcode = 'check_violation';
          end if;
          return new;
        end $$;
        create trigger {refuse} before insert on audit_log for each row execute function {refuse}();""")
    try:
        await inspector.taps("รับทราบ")
        [answer] = await inspector.hears()
        failed = await eventually(lambda: live_scene.pool.fetchrow(
            "select details from case_events where case_no = $1 and kind = 'STEP_FAILED'", case_no), timeout=30)
    finally:
        await live_scene.pool.execute(f"drop trigger {refuse} on audit_log; drop function {refuse}();")
    assert "ทำรายการไม่ได้" not in text_of(answer)  # the officer is not told their acknowledgement was refused
    assert "รับทราบ" in text_of(answer)
    assert failed["details"] == {"step": "LINE_ACTION_AUDITED", "error": "UnrecordableEntry"}
    assert str(await handle.query(CaseWorkflow.status)) == "ACKNOWLEDGED"
