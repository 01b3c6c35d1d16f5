"""The police response inside the case workflow, on the time-skipping server with the real
activities: routing, alerts, the escalation ladder, officers' actions and their validators."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from domain.handoff import TeamAction, TeamActionKind, TeamRole, handoff_id_of
from domain.models import ActionKind, ActionOutcome, CaseStatus, Officer, OfficerAction, OfficerRole, ReporterMessage
from orchestration.ids import handoff_workflow_id
from tests.conversation import actions_of, text_of
from tests.officers import fresh_district, linked_officer, station_for
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def act(kind: ActionKind, officer: Officer, note: str | None = None, **more) -> OfficerAction:
    return OfficerAction(kind=kind, officer=officer, note=note, **more)


async def test_a_case_is_routed_to_the_districts_station_whose_officers_hear_an_alert(live_scene: Scene) -> None:
    case_no, _ = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    [alert] = await inspector.hears()
    assert alert["type"] == "flex" and case_no in alert["altText"]
    labels = [action["label"] for action in actions_of(alert)]
    assert {"รับทราบ", "เปิดเรื่อง", "แผนที่", "โทรหาผู้แจ้ง"} <= set(labels)
    assert not inspector.last_entries[0].notification_disabled  # an alert must be heard
    row = await eventually(lambda: live_scene.pool.fetchrow(
        "select station_id, centre_id, routing_method from cases where case_no = $1 and station_id is not null",
        case_no))
    assert (row["station_id"], row["centre_id"], row["routing_method"]) == (
        live_scene.station_id, live_scene.centre_id, "district")
    # Higher rungs are not disturbed yet.
    await live_scene.officer_hears(live_scene.superintendent_line).hears_nothing(within=0.3)


@pytest.mark.records_history("escalation")
async def test_the_ladder_climbs_rung_by_rung_at_its_times_while_nobody_acknowledges(scene: Scene) -> None:
    case_no, handle = await scene.open_case()
    await scene.officer_hears(scene.station_line).hears()
    env = scene.env
    superintendent, centre = scene.officer_hears(scene.superintendent_line), scene.officer_hears(scene.centre_line)
    commander, national = scene.officer_hears(scene.commander_line), scene.officer_hears(scene.national_line)

    await env.sleep(3 * MINUTE - 10 * SECOND)
    await superintendent.hears_nothing(within=0.3)
    await env.sleep(20 * SECOND)
    for officer in (superintendent, centre):
        [alert] = await officer.hears()
        assert "ขั้นที่ 1" in text_of(alert)
    await commander.hears_nothing(within=0.3)

    await env.sleep(7 * MINUTE)
    [alert] = await commander.hears()
    assert "ขั้นที่ 2" in text_of(alert)
    await env.sleep(10 * MINUTE)
    [alert] = await national.hears()
    assert "ขั้นที่ 3" in text_of(alert)

    description = await handle.describe()
    levels = [p.value for p in description.typed_search_attributes if p.key.name == "EssEscalationLevel"]
    assert levels == [3]
    escalations = await eventually(lambda: scene.pool.fetch(
        "select details from case_events where case_no = $1 and kind = 'ESCALATED' order by id", case_no))
    assert [e["details"]["level"] for e in escalations] == [1, 2, 3]


async def test_a_rung_that_reaches_nobody_is_recorded_so_and_the_ladder_moves_on_at_once(scene: Scene) -> None:
    # Nobody linked to LINE at the station, its superintendent or the province's 191 centre.
    await scene.pool.execute("update officers set active = false where station_id = any($1::int[])",
                             [scene.station_id, scene.centre_id])
    case_no, _ = await scene.open_case()
    commander = scene.officer_hears(scene.commander_line)
    [alert] = await commander.hears()  # no time skipped: the empty rungs were not waited out
    assert "ขั้นที่ 2" in text_of(alert)
    await scene.officer_hears(scene.national_line).hears_nothing(within=0.3)  # the commanders were reached

    async def alerts() -> list | None:
        rows = await scene.pool.fetch(
            "select at, details from case_events where case_no = $1 and kind = 'ALERTED' order by id", case_no)
        return rows if len(rows) == 3 else None
    station, superintendent_and_centre, commanders = await eventually(alerts)
    for empty in (station, superintendent_and_centre):
        assert (empty["details"]["officer_ids"], empty["details"]["reached"]) == ([], 0)
    assert scene.commander.officer_id in commanders["details"]["officer_ids"]
    assert commanders["details"]["reached"] == len(commanders["details"]["officer_ids"])
    assert commanders["details"]["undelivered_ids"] == []
    assert commanders["at"] - station["at"] < MINUTE


@pytest.mark.records_history("acknowledged")
async def test_an_acknowledgement_stops_the_ladder_and_quietly_tells_the_reporter(scene: Scene) -> None:
    case_no, handle = await scene.open_case()
    await scene.officer_hears(scene.station_line).hears()
    await scene.env.sleep(MINUTE)
    outcome = await handle.execute_update(CaseWorkflow.act, act(ActionKind.ACKNOWLEDGE, scene.station_officer))
    assert outcome == ActionOutcome(case_no=case_no, status=CaseStatus.ACKNOWLEDGED, station_id=scene.station_id)

    [news] = await scene.reporter.hears()
    assert case_no in text_of(news) and scene.reporter.last_entries[0].notification_disabled
    await scene.env.sleep(30 * MINUTE)
    for line in (scene.superintendent_line, scene.commander_line, scene.national_line):
        await scene.officer_hears(line).hears_nothing(within=0.2)
    row = await scene.pool.fetchrow("select status, acknowledged_by from cases where case_no = $1", case_no)
    assert (row["status"], row["acknowledged_by"]) == ("ACKNOWLEDGED", scene.station_officer.officer_id)


async def refused(handle: WorkflowHandle, action: OfficerAction) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(CaseWorkflow.act, action)
    return failure.value.cause.type


@pytest.mark.records_history("actions")
async def test_every_action_is_checked_before_it_is_accepted(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()
    elsewhere = await fresh_district(live_scene.pool)
    other_station = await station_for(live_scene.pool, elsewhere["code"])
    foreign_commander = Officer(officer_id=999_001, name="x", role=OfficerRole.COMMANDER,
                                province_code="10" if live_scene.district["province_code"] != "10" else "50")
    other_station_officer = Officer(officer_id=999_002, name="x", role=OfficerRole.INSPECTOR,
                                    province_code=elsewhere["province_code"], station_id=other_station)

    assert await refused(handle, act(ActionKind.ACKNOWLEDGE, foreign_commander)) == "OutsideJurisdiction"
    assert await refused(handle, act(ActionKind.ACKNOWLEDGE, other_station_officer)) == "OutsideJurisdiction"
    assert await refused(handle, act(ActionKind.CLOSE, live_scene.station_officer)) == "InvalidAction"  # no note
    assert await refused(handle, act(ActionKind.REASSIGN, live_scene.station_officer)) == "InvalidAction"  # no station

    # The province's 191 centre, its commander and the national desk may act; the first close wins.
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.ACKNOWLEDGE, live_scene.centre_officer))
    assert await refused(handle, act(ActionKind.ACKNOWLEDGE, live_scene.commander)) == "IllegalTransition"
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.CLOSE, live_scene.national, note="ส่งผู้เสียหายถึงบ้าน"))
    assert await handle.result() == CaseStatus.CLOSED
    with pytest.raises(RPCError, match="already completed"):  # a closed case takes no more actions
        await handle.execute_update(CaseWorkflow.act, act(ActionKind.NOT_FOUND, live_scene.commander, note="x"))
    kinds = [r["kind"] for r in await live_scene.pool.fetch(
        "select kind from case_events where case_no = $1 order by id", case_no)]
    assert kinds.count("STATUS_CHANGED") == 2  # refusals wrote nothing


async def test_a_retried_action_is_applied_once(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    note = act(ActionKind.ADD_NOTE, live_scene.station_officer, note="ประสานรถสายตรวจแล้ว")
    for _ in range(3):
        await handle.execute_update(CaseWorkflow.act, note, id="officer-request-42")
    notes = await eventually(lambda: live_scene.pool.fetch(
        "select 1 from case_events where case_no = $1 and kind = 'OFFICER_ADD_NOTE'", case_no))
    assert len(notes) == 1


async def test_closing_and_not_found_tell_the_reporter_but_a_prank_does_not(live_scene: Scene) -> None:
    for kind, expected in ((ActionKind.CLOSE, "ปิดแล้ว"), (ActionKind.NOT_FOUND, "ไม่พบเหตุ"), (ActionKind.PRANK, None)):
        case_no, handle = await live_scene.open_case()
        await handle.execute_update(CaseWorkflow.act, act(kind, live_scene.station_officer, note="บันทึกผล"))
        assert await handle.result() == CaseStatus(kind.value if kind != ActionKind.CLOSE else "CLOSED")
        if expected:
            [news] = await live_scene.reporter.hears()
            assert expected in text_of(news) and case_no in text_of(news)
        else:
            await live_scene.reporter.hears_nothing(within=0.5)


async def test_repeated_pranks_raise_a_review_flag_but_never_silence_the_reporter(live_scene: Scene) -> None:
    inspector = live_scene.officer_hears(live_scene.station_line)
    for _ in range(2):
        _, handle = await live_scene.open_case()
        await inspector.hears()
        await handle.execute_update(CaseWorkflow.act, act(ActionKind.PRANK, live_scene.station_officer, note="ทักเล่น"))
    case_no, _ = await live_scene.open_case()
    [alert] = await inspector.hears()
    assert "ทักเล่น" in str(alert["contents"])  # the alert asks officers to double-check
    flagged = await eventually(lambda: live_scene.pool.fetchval(
        "select review_flag from cases where case_no = $1 and review_flag", case_no))
    assert flagged is True


@pytest.mark.records_history("reassign")
async def test_reassigning_alerts_the_new_station_and_moves_the_case(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()
    neighbour = await live_scene.pool.fetchval(
        "select id from stations where province_code = $1 and kind = 'STATION' and id <> $2 order by id limit 1",
        live_scene.district["province_code"], live_scene.station_id)
    _, neighbour_line = await linked_officer(live_scene.pool, live_scene.platform, OfficerRole.RADIO_ROOM,
                                             station_id=neighbour)
    outcome = await handle.execute_update(
        CaseWorkflow.act, act(ActionKind.REASSIGN, live_scene.centre_officer, station_id=neighbour))
    assert outcome.station_id == neighbour
    [alert] = await live_scene.officer_hears(neighbour_line).hears()
    assert case_no in alert["altText"]
    # The old station's officers no longer act on it.
    assert await refused(handle, act(ActionKind.ACKNOWLEDGE, live_scene.station_officer)) == "OutsideJurisdiction"
    # Not even the national desk moves a case to another province (its 191 centre would not see it).
    other_province = await live_scene.pool.fetchval(
        "select id from stations where province_code <> $1 and kind = 'STATION' order by id limit 1",
        live_scene.district["province_code"])
    assert await refused(handle, act(ActionKind.REASSIGN, live_scene.national, station_id=other_province)) == (
        "OutsideJurisdiction")
    assert (await handle.query(CaseWorkflow.route)).station.station_id == neighbour


async def test_an_officer_can_message_the_reporter_through_the_bot(live_scene: Scene) -> None:
    _, handle = await live_scene.open_case()
    for text in ("อยู่ในที่ปลอดภัยหรือไม่", "เจ้าหน้าที่กำลังไป"):
        await handle.execute_update(CaseWorkflow.act, act(ActionKind.MESSAGE_REPORTER, live_scene.station_officer,
                                                          note=text))
        [message] = await live_scene.reporter.hears()  # each one arrives, none taken for a repeat
        assert text in text_of(message) and live_scene.reporter.last_entries[0].notification_disabled


@pytest.mark.records_history("line_buttons")
async def test_acknowledge_from_the_line_alert_button(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    [alert] = await inspector.hears()
    await inspector.taps("รับทราบ")
    [done] = await inspector.hears()
    assert case_no in text_of(done) and "รับทราบ" in text_of(done)
    assert inspector.last_entries[0].via == "reply"  # answered in the tap's own exchange, no push needed
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED
    await inspector.taps("รับทราบ", in_message=alert)  # a second tap: refused, with the reason
    [again] = await inspector.hears()
    assert "ทำรายการไม่ได้" in text_of(again)
    # Open is a link to the case page now (LINE Login); cards sent before still carry its postback.
    await inspector.taps_postback(f"action=officer&code=OPEN&case={case_no}")
    [detail] = await inspector.hears()
    assert "081-234-5678" in text_of(detail)


async def test_a_tap_asking_for_anything_but_acknowledge_only_shows_the_case(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    await inspector.hears()  # the alert
    await inspector.taps_postback(f"action=officer&code=CLOSE&case={case_no}")  # no such button: made up
    [detail] = await inspector.hears()
    assert "081-234-5678" in text_of(detail)
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW


async def test_a_button_on_the_alert_of_an_ended_case_says_so(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    [alert] = await inspector.hears()
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.CLOSE, live_scene.station_officer, note="ระงับเหตุแล้ว"))
    await handle.result()
    await inspector.taps("รับทราบ", in_message=alert)
    [answer] = await inspector.hears()
    assert case_no in text_of(answer) and "ปิดไปแล้ว" in text_of(answer)


async def test_a_stranger_tapping_an_alert_button_is_told_to_register(live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    stranger = live_scene.new_citizen()
    await stranger.taps_postback(f"action=officer&code=ACKNOWLEDGE&case={case_no}")
    [answer] = await stranger.hears()
    assert "ลงทะเบียน" in text_of(answer)
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW


async def test_open_on_a_case_outside_the_officers_area_shows_nothing_and_is_audited_as_refused(
        live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()  # the alert
    elsewhere = await fresh_district(live_scene.pool)
    other_station = await station_for(live_scene.pool, elsewhere["code"])
    outsider, outsider_line = await linked_officer(live_scene.pool, live_scene.platform, OfficerRole.INSPECTOR,
                                                   station_id=other_station)
    officer = live_scene.officer_hears(outsider_line)

    await officer.taps_postback(f"action=officer&code=OPEN&case={case_no}")  # crafted: no alert reached them
    [answer] = await officer.hears()
    assert "นอกพื้นที่" in text_of(answer)
    assert "081-234-5678" not in text_of(answer) and "ที่เกิดเหตุ" not in text_of(answer)
    for word in (live_scene.district["name_th"], "กักขัง"):  # neither the place nor the incident
        assert word not in text_of(answer)

    refusal = await eventually(lambda: live_scene.pool.fetchrow(
        "select officer_id, details from audit_log where case_no = $1 and action = 'CASE_VIEW_REFUSED'", case_no))
    assert refusal["officer_id"] == outsider.officer_id and refusal["details"]["via"] == "line"
    kinds = [r["kind"] for r in await live_scene.pool.fetch("select kind from case_events where case_no = $1", case_no)]
    assert "CASE_VIEWED" not in kinds
    assert await handle.query(CaseWorkflow.status) == CaseStatus.NEW

    await live_scene.officer_hears(live_scene.commander_line).taps_postback(f"action=officer&code=OPEN&case={case_no}")
    [detail] = await live_scene.officer_hears(live_scene.commander_line).hears()  # the province's commander may
    assert "081-234-5678" in text_of(detail)


async def test_a_stranger_is_answered_alike_whether_the_case_is_open_ended_or_unknown(live_scene: Scene) -> None:
    open_case, _ = await live_scene.open_case()
    ended_case, ended = await live_scene.open_case()
    await ended.execute_update(CaseWorkflow.act, act(ActionKind.CLOSE, live_scene.station_officer, note="ระงับเหตุแล้ว"))
    await ended.result()
    for reporting_meanwhile in (False, True):  # a stranger in the middle of a report of their own, too
        answers = []
        for case_no in (open_case, ended_case, "ESS-2026-999999"):
            stranger = live_scene.new_citizen()
            if reporting_meanwhile:
                await stranger.says("แจ้งเหตุ")
                await stranger.hears()  # which type of incident?
            await stranger.taps_postback(f"action=officer&code=OPEN&case={case_no}")
            answers.append([text_of(message) for message in await stranger.hears()])
            await stranger.hears_nothing(within=0.5)
        assert answers[0] == answers[1] == answers[2], f"reporting meanwhile: {reporting_meanwhile}"
        assert "ลงทะเบียน" in answers[0][0]


async def test_an_officer_outside_the_area_hears_the_same_whether_the_case_is_open_ended_or_unknown(
        live_scene: Scene) -> None:
    open_case, _ = await live_scene.open_case()
    ended_case, ended = await live_scene.open_case()
    await ended.execute_update(CaseWorkflow.act, act(ActionKind.CLOSE, live_scene.station_officer, note="ระงับเหตุแล้ว"))
    await ended.result()
    elsewhere = await fresh_district(live_scene.pool)
    outsider_officer, outsider_line = await linked_officer(
        live_scene.pool, live_scene.platform, OfficerRole.INSPECTOR,
        station_id=await station_for(live_scene.pool, elsewhere["code"]))
    outsider = live_scene.officer_hears(outsider_line)
    answers = []
    for case_no in (open_case, ended_case, "ESS-2026-999999"):
        await outsider.taps_postback(f"action=officer&code=OPEN&case={case_no}")
        [answer] = await outsider.hears()
        answers.append(text_of(answer).replace(case_no, "<case>"))
        await outsider.hears_nothing(within=0.5)
    assert answers[0] == answers[1] == answers[2] and "นอกพื้นที่" in answers[0]

    async def refusals() -> list[str] | None:
        # This officer's: other specs on the same database are refused the unknown number too.
        rows = await live_scene.pool.fetch(
            "select case_no from audit_log"
            " where action = 'CASE_VIEW_REFUSED' and case_no = any($1::text[]) and officer_id = $2 order by id",
            [open_case, ended_case, "ESS-2026-999999"], outsider_officer.officer_id)
        return [r["case_no"] for r in rows] if len(rows) == 3 else None
    assert await eventually(refusals) == [open_case, ended_case, "ESS-2026-999999"]

    # An officer of the case's own station still learns that it has ended. (Whether its alert went
    # out before it was closed is a race: look for the answer among whatever the station heard.)
    station_line = live_scene.station_line
    await live_scene.officer_hears(station_line).taps_postback(f"action=officer&code=OPEN&case={ended_case}")

    async def told_it_ended() -> bool:
        return any(ended_case in text_of(e.message) and "ปิดไปแล้ว" in text_of(e.message)
                   for e in live_scene.platform.bot_messages(station_line))
    assert await eventually(told_it_ended)


async def reporter_sends(scene: Scene, handle: WorkflowHandle, message_type: str, message_id: str) -> None:
    """A photo or video the reporter sent to the open case; returns once the case asked LINE for it."""
    await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
        event_id=f"event-{uuid.uuid4()}", message_type=message_type, message_id=message_id,
        received_at=datetime.now(UTC)))
    await eventually(lambda: asyncio.sleep(0, downloads_of(scene, message_id)))


def downloads_of(scene: Scene, message_id: str) -> list:
    return [r for r in scene.platform.requests_to("content") if r.path.endswith(f"/{message_id}/content")]


async def test_a_photo_line_will_not_give_is_recorded_and_the_case_still_hears_taps_and_the_team(
        live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    await inspector.hears()  # the alert
    await reporter_sends(live_scene, handle, "image", "no-such-photo")  # LINE answers 404, for good

    await inspector.taps("รับทราบ")
    # The tap's answer, and (in either order) word that a photo came which LINE would not give.
    heard = sorted(text_of(message) for message in await inspector.hears(count=2))
    assert any("รับทราบ" in text for text in heard)
    assert any("ส่งรูปภาพ" in text and "ดึงไฟล์จาก LINE ไม่ได้" in text for text in heard)
    await handle.execute_update(CaseWorkflow.act, OfficerAction(
        kind=ActionKind.FORWARD, officer=live_scene.station_officer, note="ผู้เสียหายต้องการที่พักพิง"))
    coordinator, _ = await linked_team_member(live_scene.pool, live_scene.platform, TeamRole.COORDINATOR,
                                              live_scene.district["province_code"])
    handoff = live_scene.client.get_workflow_handle(handoff_workflow_id(handoff_id_of(case_no, 1)))
    await eventually(handoff.describe)
    await handoff.execute_update(HandoffWorkflow.act, TeamAction(kind=TeamActionKind.ACCEPT, member=coordinator))
    assert await handle.result() == CaseStatus.HANDED_OVER  # the team accepted: the police part ended
    await let_go(live_scene.pool, [coordinator])

    [failed] = await live_scene.pool.fetch(
        "select actor, details from case_events where case_no = $1 and kind = 'ATTACHMENT_FAILED'", case_no)
    assert failed["actor"] == "reporter" and failed["details"]["message_type"] == "image"


async def test_a_video_whose_download_keeps_timing_out_does_not_delay_a_tap(live_scene: Scene) -> None:
    _, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    await inspector.hears()  # the alert
    video = live_scene.platform.store_content(b"\x00\x00\x00\x18ftypmp42 a video", "video/mp4")
    live_scene.platform.delay_next("content", seconds=12, times=20)  # longer than the worker waits (10 s)
    await reporter_sends(live_scene, handle, "video", video)

    await inspector.taps("รับทราบ")
    [done] = await inspector.hears(timeout=3)  # answered while the download still hangs
    assert "รับทราบ" in text_of(done)
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED
    live_scene.platform.clear_faults()  # the next attempt gets the video: no download left hanging


async def test_a_download_line_keeps_failing_is_given_up_after_a_few_attempts_and_recorded(scene: Scene) -> None:
    case_no, handle = await scene.open_case()
    photo = scene.platform.store_content(b"\xff\xd8\xff a photo", "image/jpeg")
    scene.platform.fail_for("content", seconds=120, status=500)  # LINE's content server down
    await reporter_sends(scene, handle, "image", photo)
    await scene.env.sleep(10 * MINUTE)  # the retries' pauses, skipped

    failed = await eventually(lambda: scene.pool.fetchrow(
        "select details from case_events where case_no = $1 and kind = 'ATTACHMENT_FAILED'", case_no))
    assert failed["details"] == {"message_type": "image", "reason": "LineUnavailable"}
    assert 1 < len(downloads_of(scene, photo)) <= 5


async def test_an_action_answers_at_once_while_line_is_down_and_its_messages_go_out_once_after(
        live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()  # the alert
    live_scene.platform.fail_for("push", seconds=4, status=500)
    started = time.monotonic()
    outcome = await handle.execute_update(CaseWorkflow.act, act(ActionKind.ACKNOWLEDGE, live_scene.station_officer))
    assert time.monotonic() - started < 2  # not held while LINE is retried
    assert outcome.status == CaseStatus.ACKNOWLEDGED
    # Another officer's action meanwhile is not held up either.
    started = time.monotonic()
    await handle.execute_update(CaseWorkflow.act, act(ActionKind.ADD_NOTE, live_scene.centre_officer, note="รับทราบ"))
    assert time.monotonic() - started < 2

    [news] = await live_scene.reporter.hears(timeout=30)  # once LINE is back
    assert case_no in text_of(news)
    await live_scene.reporter.hears_nothing(within=1)  # delivered once
    kinds = [r["kind"] for r in await live_scene.pool.fetch(
        "select kind from case_events where case_no = $1 order by id", case_no)]
    assert kinds.count("STATUS_CHANGED") == 1 and "MESSAGE_UNDELIVERED" not in kinds


async def test_a_message_line_never_takes_is_recorded_on_the_case_without_the_line_user(scene: Scene) -> None:
    case_no, handle = await scene.open_case()
    await scene.officer_hears(scene.station_line).hears()  # the alert
    scene.platform.fail_for("push", seconds=600, status=500)
    await handle.execute_update(
        CaseWorkflow.act, act(ActionKind.MESSAGE_REPORTER, scene.station_officer, note="อยู่ในที่ปลอดภัยหรือไม่"))
    for _ in range(6):  # every retry's pause, skipped (in steps: one long skip can outlast its RPC's deadline)
        await scene.env.sleep(5 * MINUTE)

    undelivered = await eventually(lambda: scene.pool.fetchrow(
        "select actor, details from case_events where case_no = $1 and kind = 'MESSAGE_UNDELIVERED'", case_no))
    assert undelivered["details"] == {"to": "reporter", "prompt": "from_officer"}
    assert scene.reporter.user_id not in str(dict(undelivered))
