"""Drill: the worker process is SIGKILLed in each phase of the workflows, and a new one started.

Phases: a conversation waiting for the phone number; a case just opened, its first alert on its
way to LINE (a later rung falls due while no worker runs); a hand-off waiting for the team to
accept (the reporter's consent and the team's acceptance arrive while no worker runs); and a LINE
reply under way (the fake LINE is slow, so the kill lands inside the activity, after LINE took the
message and before the worker heard back). Each ends with the conversations and cases finished,
in PostgreSQL as they should be, and every message delivered exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from functools import partial

from domain.handoff import Consent, HandoffStatus, TeamAction, TeamActionKind, TeamRole, handoff_id_of
from domain.models import ActionKind, Audience, CaseStatus, EscalationRung, OfficerAction
from domain.postbacks import Postback
from domain.pseudonyms import reporter_key
from orchestration.ids import handoff_workflow_id, intake_workflow_id
from tests.conversation import actions_of
from tests.drills.reports import (
    REPORT_STEPS,
    alerts_about,
    check_reports,
    new_reporters,
    repeated_messages,
    station_for_pin,
    until,
    until_answered,
)
from tests.drills.stack import Drill
from tests.scene import DETENTION, Scene
from tests.team import let_go, linked_team_member
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow

RECOVERY_SECONDS = 75  # an activity cut off by the kill is tried again after its 30 s start-to-close timeout


async def scene_of(drill: Drill) -> Scene:
    return await Scene(drill.client, drill.settings, drill.pool, drill.platform, drill.citizen, drill.deliver).set_up()


async def test_killed_while_a_conversation_waits_for_the_phone_number(system: Drill) -> None:
    stations = {"bangkok": await station_for_pin(system.pool, system.platform, "bangkok")}
    [reporter] = new_reporters(system.citizen, "bangkok")
    await reporter.steps(REPORT_STEPS - 1)
    conversation = system.client.get_workflow_handle(
        intake_workflow_id(reporter_key(reporter.user_id, system.settings.pseudonym_key)))
    assert await conversation.query("current_step") == "phone"
    await system.settled()  # nothing under way: the conversation only waits

    system.worker.kill()
    await reporter.send_next()  # the webhook takes the number while no worker runs
    await reporter.citizen.hears_nothing(within=1.0)
    await system.restart_worker()

    await until_answered(system.platform, [reporter], timeout=RECOVERY_SECONDS)
    await system.settled()
    await check_reports(system.pool, system.platform, [reporter], stations)
    assert set(system.answers) == {200}


async def test_killed_while_the_first_alert_is_on_its_way(system: Drill) -> None:
    scene = await scene_of(system)
    ladder = DETENTION.model_copy(update={"escalation": [
        EscalationRung(after=timedelta(0), audiences=[Audience.STATION]),
        EscalationRung(after=timedelta(seconds=5), audiences=[Audience.SUPERINTENDENT, Audience.CENTRE_191]),
        EscalationRung(after=timedelta(minutes=30), audiences=[Audience.COMMANDERS, Audience.NATIONAL_DESK]),
    ]})
    system.platform.delay_next("push", seconds=3)  # LINE is slow with the station's alert
    case_no, case = await scene.open_case(ladder)

    def alert_sent() -> bool:
        return any(r.body and r.body.get("to") == scene.station_line for r in system.platform.requests_to("push"))

    await until(alert_sent, what="the station's alert")
    system.worker.kill()  # LINE has the alert; the worker never hears back
    await asyncio.sleep(6)  # the next rung falls due with no worker alive
    await system.restart_worker()

    station = scene.officer_hears(scene.station_line)
    [alert] = await station.hears(timeout=RECOVERY_SECONDS)
    for line_user in (scene.superintendent_line, scene.centre_line):
        await until(partial(alerts_about, system.platform, line_user, case_no), RECOVERY_SECONDS, "the rung's alert")
    await station.taps("รับทราบ", in_message=alert)
    await station.hears()  # the officer's confirmation
    await scene.reporter.hears()  # "an officer has taken your case"
    await system.settled()

    assert alerts_about(system.platform, scene.station_line, case_no) == ["แจ้งเหตุใหม่"]
    for line_user in (scene.superintendent_line, scene.centre_line):
        assert alerts_about(system.platform, line_user, case_no) == ["ยังไม่มีผู้รับเรื่อง (ขั้นที่ 1)"]
    for line_user in (scene.commander_line, scene.national_line):
        assert alerts_about(system.platform, line_user, case_no) == []
    for line_user in (scene.station_line, scene.superintendent_line, scene.centre_line, scene.reporter.user_id):
        assert repeated_messages(system.platform, line_user) == []
    assert len(system.platform.bot_messages(scene.reporter.user_id)) == 1
    assert await case.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED
    row = await system.pool.fetchrow(
        "select status, station_id, centre_id, escalation_level from cases where case_no = $1", case_no)
    assert dict(row) == {"status": "ACKNOWLEDGED", "station_id": scene.station_id, "centre_id": scene.centre_id,
                         "escalation_level": 1}
    timeline = await system.pool.fetch("select kind, details from case_events where case_no = $1 order by id", case_no)
    kinds = Counter((e["kind"], e["details"].get("level")) for e in timeline)
    assert kinds == Counter({("REPORTED", None): 1, ("ROUTED", None): 1, ("ALERTED", 0): 1, ("ESCALATED", 1): 1,
                             ("ALERTED", 1): 1, ("STATUS_CHANGED", None): 1}), kinds


async def test_killed_while_a_handoff_awaits_acceptance(system: Drill) -> None:
    scene = await scene_of(system)
    province = scene.district["province_code"]
    pool, platform = system.pool, system.platform
    coordinator, coordinator_line = await linked_team_member(pool, platform, TeamRole.COORDINATOR, province)
    social_worker, social_worker_line = await linked_team_member(pool, platform, TeamRole.SOCIAL_WORKER, province)
    try:
        case_no, case = await scene.open_case()
        await scene.officer_hears(scene.station_line).hears()
        forward = OfficerAction(kind=ActionKind.FORWARD, officer=scene.station_officer, note="ต้องการที่พักพิง")
        await case.execute_update(CaseWorkflow.act, forward)
        handoff_id = handoff_id_of(case_no, 1)
        handoff = system.client.get_workflow_handle(handoff_workflow_id(handoff_id))
        [question] = await scene.reporter.hears()
        for line_user in (coordinator_line, social_worker_line):
            await until(partial(alerts_about, system.platform, line_user, case_no), what="the team's alert")
        await system.settled()  # the hand-off waits for the team

        system.worker.kill()
        # While no worker runs: the reporter agrees to be contacted, and the coordinator accepts,
        # naming the social worker as case worker (the update waits for a worker to take it).
        agree = Postback(action="consent", code="YES", handoff_id=handoff_id).encode()
        assert agree in [action.get("data") for action in actions_of(question)]
        await scene.reporter.taps_postback(agree)
        accepting = asyncio.create_task(handoff.execute_update(HandoffWorkflow.act, TeamAction(
            kind=TeamActionKind.ACCEPT, member=coordinator, case_worker_id=social_worker.member_id)))
        await asyncio.sleep(2)
        assert not accepting.done()
        await system.restart_worker()

        outcome = await asyncio.wait_for(accepting, RECOVERY_SECONDS)
        assert outcome.status == HandoffStatus.IN_CARE
        assert await asyncio.wait_for(case.result(), RECOVERY_SECONDS) == CaseStatus.HANDED_OVER
        # The question, thanks, and "someone will contact you".
        await until(lambda: len(system.platform.bot_messages(scene.reporter.user_id)) >= 3, RECOVERY_SECONDS,
                    "the reporter's news")
        await until(lambda: len(system.platform.bot_messages(social_worker_line)) >= 2, what="the case worker's news")
        await system.settled()

        assert await handoff.query(HandoffWorkflow.consent) == Consent.GIVEN
        assert len(system.platform.bot_messages(scene.reporter.user_id)) == 3
        assert alerts_about(system.platform, coordinator_line, case_no) == ["เรื่องส่งต่อจากตำรวจ"]
        assert len(system.platform.bot_messages(coordinator_line)) == 1
        assert len(system.platform.bot_messages(social_worker_line)) == 2  # the alert, then "you are case worker"
        for line_user in (scene.reporter.user_id, coordinator_line, social_worker_line, scene.station_line):
            assert repeated_messages(system.platform, line_user) == []
        case_row = await system.pool.fetchrow("select status, station_id from cases where case_no = $1", case_no)
        assert dict(case_row) == {"status": "HANDED_OVER", "station_id": scene.station_id}  # accepted
        handoff_row = await system.pool.fetchrow(
            "select status, consent, case_worker_id from handoffs where handoff_id = $1", handoff_id)
        assert dict(handoff_row) == {"status": "IN_CARE", "consent": "GIVEN", "case_worker_id": social_worker.member_id}
    finally:
        await let_go(system.pool, [coordinator, social_worker])


async def test_killed_while_a_reply_is_on_its_way_to_line(system: Drill) -> None:
    stations = {"chiang_mai": await station_for_pin(system.pool, system.platform, "chiang_mai")}
    [reporter] = new_reporters(system.citizen, "chiang_mai")
    await reporter.steps(3)  # up to the pin; next the reporter confirms the place
    await system.settled()
    replies_before = len(system.platform.requests_to("reply"))
    system.platform.delay_next("reply", seconds=4)  # LINE takes its time with the phone question

    await reporter.send_next()
    await until(lambda: len(system.platform.requests_to("reply")) > replies_before, what="the reply")
    system.worker.kill()  # mid-activity: LINE delivers the reply, the worker never hears back
    await reporter.citizen.hears(timeout=10)  # the phone question arrives all the same
    await system.restart_worker()
    await reporter.send_next()  # the phone number, while the cut-off activity awaits its retry

    await until_answered(system.platform, [reporter], timeout=RECOVERY_SECONDS)
    await system.settled()
    await check_reports(system.pool, system.platform, [reporter], stations)
    assert set(system.answers) == {200}
