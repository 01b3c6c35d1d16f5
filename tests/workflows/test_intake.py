"""The citizen's conversation, on the time-skipping server with the real activities:
the three steps, cancel, off-script messages, a wrong phone number, a place abroad, silence;
numbers from abroad or inside a sentence, declining to give one, the phone step's short patience,
and words beside the script kept for the officers; after a case ended, what the reporter sends
follows it up to its officers for a while, and a new report may repeat it in one tap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

from api.line_events import read_event
from domain.models import ActionKind, CaseOpening, LineEvent, Officer, OfficerAction, OfficerRole
from line_simulator import events
from orchestration.ids import case_workflow_id
from tests.conversation import BANGKOK_PIN, CASE_NUMBER, VIENTIANE_PIN, Citizen, actions_of, nodes_in, text_of
from tests.officers import linked_officer, station_for
from tests.scene import Scene
from tests.waiting import eventually
from tests.workflows.conftest import Reporting
from workflows.case import CaseWorkflow

SECOND = timedelta(seconds=1)
STEPS = ["incident_type", "location", "confirm_location", "phone"]


async def reach(citizen: Citizen, step: str) -> None:
    """Walk a citizen through the report up to (not answering) `step`."""
    await citizen.says("แจ้งเหตุ")
    await citizen.hears()
    if step == "incident_type":
        return
    await citizen.taps("กักขังหน่วงเหนี่ยว")
    await citizen.hears()
    if step == "location":
        return
    await citizen.pins(**BANGKOK_PIN)
    await citizen.hears()
    if step == "confirm_location":
        return
    await citizen.taps("ถูกต้อง")
    await citizen.hears()


@pytest.mark.records_history("full_report")
async def test_a_full_report_in_thai_opens_a_case_and_tells_its_number(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await citizen.follows()
    [greeting] = await citizen.hears()
    assert "แจ้งเหตุ" in text_of(greeting)
    await citizen.taps("แจ้งเหตุ")

    [question] = await citizen.hears()
    choices = {action["data"]: action["label"] for action in actions_of(question)
               if "action=type" in action.get("data", "")}
    assert len(choices) == 5 and "กักขังหน่วงเหนี่ยว" in choices.values()
    await citizen.taps("กักขังหน่วงเหนี่ยว")

    [ask_location] = await citizen.hears()
    assert any(action["type"] == "location" for action in actions_of(ask_location))
    await citizen.pins(**BANGKOK_PIN)

    [confirm] = await citizen.hears()
    assert "คลองเตย" in text_of(confirm)
    await citizen.taps("ถูกต้อง")

    [ask_phone] = await citizen.hears()
    assert "เบอร์" in text_of(ask_phone)
    await citizen.says("081-234-5678")

    case_no = await citizen.hears_case_number()
    row = await reporting.case_row(case_no)
    assert row is not None
    assert (row["status"], row["complete"], row["phone_e164"]) == ("NEW", True, "+66812345678")
    assert (row["incident_type_code"], row["province_code"], row["district_code"]) == ("DETENTION", "10", "1033")

    case = reporting.env.client.get_workflow_handle(case_workflow_id(case_no))
    description = await case.describe()
    assert description.status == WorkflowExecutionStatus.RUNNING
    attributes = {key.name: value for key, value in ((p.key, p.value) for p in description.typed_search_attributes)}
    assert attributes == {
        "EssCaseNo": case_no, "EssStatus": "NEW", "EssIncidentType": "DETENTION", "EssProvince": "Bangkok",
        "EssEscalationLevel": 0,
    }
    # Everything the bot sent was silent, and the case outlives the conversation.
    assert all(entry.notification_disabled for entry in citizen.platform.bot_messages(citizen.user_id)
               if entry.via == "push")
    await reporting.env.sleep(reporting.settings.intake_idle_after + SECOND)
    assert await reporting.conversation(citizen).result() == [case_no]
    assert (await case.describe()).status == WorkflowExecutionStatus.RUNNING


async def test_an_english_reporter_is_answered_in_english(reporting: Reporting) -> None:
    citizen = reporting.citizen(language="en")
    await citizen.says("report")
    [question] = await citizen.hears()
    assert text_of(question) == "What is happening? Choose one."
    first_type = next(a for a in actions_of(question) if "action=type" in a.get("data", ""))
    assert first_type["label"].startswith("Threatened")
    await citizen.taps(first_type["label"])
    [ask_location] = await citizen.hears()
    assert "Pin" in text_of(ask_location)


async def test_a_reporter_can_switch_language_mid_report(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "location")
    await citizen.says("English")
    [again] = await citizen.hears()
    assert "Pin the place" in text_of(again)


@pytest.mark.records_history("cancel")
@pytest.mark.parametrize("step", STEPS)
async def test_cancel_works_at_every_step(reporting: Reporting, step: str) -> None:
    citizen = reporting.citizen()
    await reach(citizen, step)
    await citizen.taps("ยกเลิก")
    [answer] = await citizen.hears()
    assert text_of(answer) == "ยกเลิกแล้ว"
    await reporting.env.sleep(reporting.settings.intake_give_up_after * 2)
    await citizen.hears_nothing(within=0.5)
    assert await reporting.cases_of(citizen) == []


@pytest.mark.records_history("silence")
@pytest.mark.parametrize("step", STEPS[:-1])  # the phone step has its own patience (below)
async def test_silence_gets_one_reminder_then_a_case_if_the_place_is_known(reporting: Reporting, step: str) -> None:
    citizen = reporting.citizen()
    await reach(citizen, step)
    timeouts = reporting.settings

    await reporting.env.sleep(timeouts.intake_reminder_after - 10 * SECOND)
    await citizen.hears_nothing(within=0.3)
    await reporting.env.sleep(20 * SECOND)
    [reminder] = await citizen.hears()
    assert "ยังทำต่อได้" in text_of(reminder)

    await reporting.env.sleep(timeouts.intake_give_up_after + SECOND)
    [last] = await citizen.hears()
    cases = await reporting.cases_of(citizen)
    if step == "confirm_location":  # the place is known: help is sent anyway
        assert CASE_NUMBER.search(text_of(last))
        assert len(cases) == 1 and cases[0]["complete"] is False and cases[0]["phone_e164"] is None
        assert cases[0]["latitude"] == pytest.approx(BANGKOK_PIN["latitude"])
    else:
        assert "ยังไม่ได้ส่งเรื่อง" in text_of(last)
        assert cases == []
    await citizen.hears_nothing(within=0.3)


@pytest.mark.records_history("off_script")
async def test_off_script_messages_get_a_calm_hint_and_the_same_question(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "location")
    await citizen.sends_sticker()
    hint, question = await citizen.hears(count=2)
    assert "ปักหมุด" in text_of(hint)
    assert any(action["type"] == "location" for action in actions_of(question))
    await citizen.sends_photo()
    await citizen.hears(count=2)


async def test_a_location_abroad_asks_for_a_pin_in_thailand(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "location")
    await citizen.pins(**VIENTIANE_PIN)
    [answer] = await citizen.hears()
    assert "นอกประเทศไทย" in text_of(answer)
    assert any(action["type"] == "location" for action in actions_of(answer))
    await citizen.pins(**BANGKOK_PIN)
    [confirm] = await citizen.hears()
    assert "คลองเตย" in text_of(confirm)


@pytest.mark.records_history("wrong_phone")
async def test_a_wrong_phone_number_gets_a_hint_and_another_try(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    for wrong in ("12345", "+44 12", "1300", "โทรไม่ได้"):
        await citizen.says(wrong)
        [hint] = await citizen.hears()
        assert "0901234567" in text_of(hint)
    await citizen.says("๐๙๐ ๑๒๓ ๔๕๖๗")  # Thai digits
    case_no = await citizen.hears_case_number()
    row = await reporting.case_row(case_no)
    assert row["phone_e164"] == "+66901234567"


async def test_sharing_a_location_first_starts_a_report_with_it(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await citizen.pins(**BANGKOK_PIN)
    [question] = await citizen.hears()
    assert question["type"] == "flex"  # the type is still needed
    await citizen.taps("กักขังหน่วงเหนี่ยว")
    [confirm] = await citizen.hears()
    assert "คลองเตย" in text_of(confirm)


@pytest.mark.records_history("attachments")
async def test_what_the_reporter_sends_after_the_case_opens_is_attached_to_it(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    await citizen.says("0812345678")
    case_no = await citizen.hears_case_number()

    photo = b"\xff\xd8\xff a photo of the door"
    await citizen.sends_photo(photo)
    [ack] = await citizen.hears()
    assert case_no in text_of(ack)

    # Later, in a new conversation, a text still goes to the open case.
    await reporting.env.sleep(reporting.settings.intake_idle_after + SECOND)
    await citizen.says("เขาล็อกประตูไว้")
    [ack] = await citizen.hears()
    assert case_no in text_of(ack)

    async def reporter_messages():
        rows = await reporting.pool.fetch(
            "select kind, details from case_events where case_no = $1 and kind = 'REPORTER_MESSAGE' order by id",
            case_no,
        )
        return rows if len(rows) == 2 else None

    events = await eventually(reporter_messages)
    stored = await reporting.pool.fetchval("select content from case_attachments where case_no = $1", case_no)
    assert stored == photo
    assert any(e["details"].get("text") == "เขาล็อกประตูไว้" for e in events)


async def test_an_event_signalled_twice_is_handled_once(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    event = await citizen.says("แจ้งเหตุ")
    await citizen.hears()
    await reporting.conversation(citizen).signal("line_event", read_event(event, 0))
    await citizen.hears_nothing(within=1.0)


def sent_at(event: dict) -> datetime:
    """When LINE says the citizen did it."""
    return datetime.fromtimestamp(event["timestamp"] / 1000, UTC)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+44 7700 900123", "+447700900123"),  # a tourist's number
        ("my number is +66 81 234 5679", "+66812345679"),
        ("เบอร์ 081-234-5678 ค่ะ", "+66812345678"),
    ],
)
async def test_a_number_from_abroad_or_inside_a_sentence_opens_the_case_at_once(
    reporting: Reporting, typed: str, e164: str
) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    await citizen.says(typed)
    case_no = await citizen.hears_case_number()
    row = await reporting.case_row(case_no)
    assert (row["phone_e164"], row["complete"]) == (e164, True)


@pytest.mark.parametrize("declines", ["skip", "ไม่สะดวก", "No number", "button"])
async def test_a_reporter_may_decline_to_give_a_number(reporting: Reporting, declines: str) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    if declines == "button":
        await citizen.taps("ไม่สะดวกให้เบอร์")
    else:
        await citizen.says(declines)
    case_no = await citizen.hears_case_number()
    assert "รับแจ้งแล้ว" in text_of(citizen.last_heard[0])
    row = await reporting.case_row(case_no)
    assert (row["phone_e164"], row["complete"]) == (None, True)
    reported = await reporting.pool.fetchval(
        "select details from case_events where case_no = $1 and kind = 'REPORTED'", case_no)
    assert reported["phone_declined"] is True
    assert [step["step"] for step in reported["steps"]] == [
        "started", "incident_type", "location", "confirm_location", "phone_declined"]


async def test_the_phone_question_offers_no_number_in_either_language(reporting: Reporting) -> None:
    citizen = reporting.citizen(language="en")
    await citizen.says("report")
    [question] = await citizen.hears()
    await citizen.taps(next(a for a in actions_of(question) if "action=type" in a.get("data", ""))["label"])
    await citizen.hears()
    await citizen.pins(**BANGKOK_PIN)
    await citizen.hears()
    await citizen.taps("Correct")
    [ask_phone] = await citizen.hears()
    assert "No number" in [action["label"] for action in actions_of(ask_phone)]
    await citizen.says("191")
    [hint] = await citizen.hears()
    assert "No number" in [action["label"] for action in actions_of(hint)]


@pytest.mark.records_history("silence_at_phone")
async def test_a_silent_reporter_after_a_confirmed_place_is_dispatched_within_two_minutes(
    reporting: Reporting,
) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "confirm_location")
    confirmation = await citizen.taps("ถูกต้อง")
    await citizen.hears()  # the phone question
    wait = reporting.settings.intake_phone_wait
    assert wait == timedelta(minutes=2)

    await reporting.env.sleep(wait / 2 + SECOND)
    [reminder] = await citizen.hears()
    assert "ยังทำต่อได้" in text_of(reminder) and "ไม่สะดวกให้เบอร์" in [a["label"] for a in actions_of(reminder)]
    assert await reporting.cases_of(citizen) == []

    await reporting.env.sleep(wait / 2)
    case_no = await citizen.hears_case_number()
    [case] = await reporting.cases_of(citizen)
    assert (case["case_no"], case["complete"], case["phone_e164"]) == (case_no, False, None)
    # reported_at is when the reporter confirmed the place, not when the conversation gave up.
    assert case["reported_at"] == sent_at(confirmation)

    async def alerted():
        return await reporting.pool.fetchval(
            "select count(*) from case_events where case_no = $1 and kind = 'ALERTED'", case_no)

    assert await eventually(alerted)
    await citizen.hears_nothing(within=0.3)


async def test_messages_at_the_phone_step_do_not_hold_the_case_back(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    await reporting.env.sleep(40 * SECOND)
    await citizen.sends_sticker()
    await citizen.hears(count=2)  # a hint and the question
    await reporting.env.sleep(40 * SECOND)
    [reminder] = await citizen.hears()
    assert "ยังทำต่อได้" in text_of(reminder)
    await citizen.sends_sticker()
    await citizen.hears(count=2)
    await reporting.env.sleep(30 * SECOND)
    await citizen.sends_sticker()
    await citizen.hears(count=2)
    await reporting.env.sleep(15 * SECOND)  # two minutes and five seconds since the place was confirmed
    await citizen.hears_case_number()
    assert len(await reporting.cases_of(citizen)) == 1


async def test_reported_at_is_when_the_place_was_confirmed_and_every_step_has_its_time(
    reporting: Reporting,
) -> None:
    citizen = reporting.citizen()
    started = await citizen.says("แจ้งเหตุ")
    await citizen.hears()
    typed = await citizen.taps("กักขังหน่วงเหนี่ยว")
    await citizen.hears()
    pinned = await citizen.pins(**BANGKOK_PIN)
    await citizen.hears()
    confirmed = await citizen.taps("ถูกต้อง")
    await citizen.hears()
    await reporting.env.sleep(50 * SECOND)  # the reporter takes their time to type
    phone = await citizen.says("0812345678")
    case_no = await citizen.hears_case_number()

    row = await reporting.case_row(case_no)
    assert row["reported_at"] == sent_at(confirmed)
    reported = await reporting.pool.fetchrow(
        "select at, details from case_events where case_no = $1 and kind = 'REPORTED'", case_no)
    assert reported["at"] == sent_at(confirmed)
    assert [(step["step"], datetime.fromisoformat(step["at"])) for step in reported["details"]["steps"]] == [
        ("started", sent_at(started)), ("incident_type", sent_at(typed)), ("location", sent_at(pinned)),
        ("confirm_location", sent_at(confirmed)), ("phone", sent_at(phone)),
    ]


async def bangkok_inspector(reporting: Reporting) -> tuple[Officer, str]:
    """An inspector on LINE at Khlong Toei's station, where BANGKOK_PIN falls: (officer, LINE user id)."""
    station_id = await station_for(reporting.pool, "1033")
    return await linked_officer(reporting.pool, reporting.line.platform, OfficerRole.INSPECTOR, station_id=station_id)


async def case_opening(reporting: Reporting, case_no: str) -> CaseOpening:
    """The report as the case workflow received it."""
    history = await reporting.env.client.get_workflow_handle(case_workflow_id(case_no)).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    [opening] = await reporting.env.client.data_converter.decode(started.input.payloads, [CaseOpening])
    return opening


async def test_words_at_the_phone_step_are_kept_on_the_report_and_the_timeline(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    help_now = await citizen.says("ช่วยด้วย เขาอยู่หน้าบ้าน")
    [hint] = await citizen.hears()
    assert "ได้รับข้อความแล้ว" in text_of(hint) and "0901234567" in text_of(hint)  # and the question again
    await citizen.says("0812345678")
    case_no = await citizen.hears_case_number()

    opening = await case_opening(reporting, case_no)
    assert [(note.text, note.at, note.step) for note in opening.report.notes] == [
        ("ช่วยด้วย เขาอยู่หน้าบ้าน", sent_at(help_now), "phone")]
    assert opening.report.phone.e164 == "+66812345678"
    timeline = await reporting.pool.fetch(
        "select at, actor, details from case_events where case_no = $1 and kind = 'REPORTER_MESSAGE'", case_no)
    assert [(e["at"], e["actor"], e["details"]["text"]) for e in timeline] == [
        (sent_at(help_now), "reporter", "ช่วยด้วย เขาอยู่หน้าบ้าน")]


async def test_words_at_any_step_are_kept_and_a_number_in_them_is_taken(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "incident_type")
    await citizen.says("เขาตีแม่ โทรกลับ 089-876-5432")
    hint, question = await citizen.hears(count=2)
    assert "ได้รับข้อความแล้ว" in text_of(hint) and question["type"] == "flex"  # the same question
    await citizen.taps("กักขังหน่วงเหนี่ยว")
    await citizen.hears()
    await citizen.says("อยู่ชั้นสอง")
    hint, ask_location = await citizen.hears(count=2)
    assert any(action["type"] == "location" for action in actions_of(ask_location))
    await citizen.pins(**BANGKOK_PIN)
    await citizen.hears()
    await citizen.taps("ถูกต้อง")
    case_no = await citizen.hears_case_number()  # the number is known: no phone question

    row = await reporting.case_row(case_no)
    assert (row["phone_e164"], row["complete"]) == ("+66898765432", True)
    opening = await case_opening(reporting, case_no)
    assert [(note.text, note.step) for note in opening.report.notes] == [
        ("เขาตีแม่ โทรกลับ 089-876-5432", "incident_type"), ("อยู่ชั้นสอง", "location")]


async def test_words_at_the_phone_step_reach_the_officers_alert(reporting: Reporting) -> None:
    _, officer_line = await bangkok_inspector(reporting)
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    await citizen.says("ช่วยด้วย เขาอยู่หน้าบ้าน")
    await citizen.hears()
    await citizen.says("skip")
    case_no = await citizen.hears_case_number()

    async def alert():
        return next((entry.message for entry in reporting.line.platform.bot_messages(officer_line)
                     if case_no in text_of(entry.message)), None)

    card = await eventually(alert)
    shown = [node["text"] for node in nodes_in(card["contents"]) if node.get("type") == "text"]
    assert "ช่วยด้วย เขาอยู่หน้าบ้าน" in shown


# --- after the case ended: follow-ups, and "same as last time" ---------------------------------

REPEAT = "แจ้งซ้ำ เหมือนครั้งก่อน"


async def ended(case: WorkflowHandle) -> None:
    """Waits for the case workflow to end without waiting on its result, which would let the
    time-skipping server skip ahead to whatever timer comes next."""
    async def completed() -> bool:
        return (await case.describe()).status == WorkflowExecutionStatus.COMPLETED

    await eventually(completed)


async def ended_case(scene: Scene, acknowledged: bool) -> tuple[str, Citizen]:
    """A case of the scene's reporter that the station's inspector (maybe acknowledged and) closed;
    and the inspector's chat, read up to the case's alert."""
    case_no, handle = await scene.open_case()
    inspector = scene.officer_hears(scene.station_line)
    await inspector.hears()  # the alert
    officer = scene.station_officer
    if acknowledged:
        await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.ACKNOWLEDGE, officer=officer))
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.CLOSE, officer=officer,
                                                                note="ระงับเหตุแล้ว"))
    await ended(handle)
    await scene.reporter.hears(count=2 if acknowledged else 1)  # taken, closed
    return case_no, inspector


async def follow_ups(pool, case_no: str) -> list:
    return await pool.fetch("select at, actor, details from case_events where case_no = $1 "
                            "and kind = 'REPORTER_MESSAGE' and (details ->> 'follow_up')::boolean order by id", case_no)


async def test_a_message_an_hour_after_the_case_closed_reaches_the_officer_who_acknowledged_it(scene: Scene) -> None:
    case_no, inspector = await ended_case(scene, acknowledged=True)
    await scene.env.sleep(timedelta(hours=1))

    back = await scene.reporter.says("เขากลับมาอีกแล้ว")
    [told] = await scene.reporter.hears()
    assert case_no in text_of(told) and "เจ้าหน้าที่" in text_of(told)
    [follow_up] = await inspector.hears()
    assert case_no in text_of(follow_up) and "เขากลับมาอีกแล้ว" in text_of(follow_up)
    assert not inspector.last_entries[0].notification_disabled  # heard at once, with sound
    [entry] = await eventually(lambda: follow_ups(scene.pool, case_no))
    assert (entry["at"], entry["actor"]) == (sent_at(back), "reporter")
    assert entry["details"] == {"follow_up": True, "message_type": "text", "text": "เขากลับมาอีกแล้ว"}
    await scene.officer_hears(scene.superintendent_line).hears_nothing(within=0.3)


async def test_a_photo_after_the_case_closed_is_kept_and_the_stations_officers_hear_of_it(scene: Scene) -> None:
    case_no, inspector = await ended_case(scene, acknowledged=False)  # nobody acknowledged: the station hears
    await scene.env.sleep(timedelta(hours=2))

    photo = b"\xff\xd8\xff the car is back"
    await scene.reporter.sends_photo(photo)
    [follow_up] = await inspector.hears()
    assert case_no in text_of(follow_up) and "รูป" in text_of(follow_up)
    [told] = await scene.reporter.hears()
    assert case_no in text_of(told)
    [entry] = await eventually(lambda: follow_ups(scene.pool, case_no))
    stored = await scene.pool.fetchrow("select id, content from case_attachments where case_no = $1", case_no)
    assert stored["content"] == photo
    assert entry["details"] == {"follow_up": True, "message_type": "image", "attachment_id": stored["id"]}


async def test_after_the_window_a_message_starts_the_normal_conversation(scene: Scene) -> None:
    case_no, inspector = await ended_case(scene, acknowledged=True)
    await scene.env.sleep(scene.settings.follow_up_after_close + timedelta(minutes=1))

    await scene.reporter.says("เขากลับมาอีกแล้ว")
    [answer] = await scene.reporter.hears()
    assert "แจ้งเหตุ" in text_of(answer) and case_no not in text_of(answer)
    await scene.reporter.says("แจ้งเหตุ")
    [question] = await scene.reporter.hears()
    assert REPEAT not in [action["label"] for action in actions_of(question)]
    await inspector.hears_nothing(within=0.3)
    assert await follow_ups(scene.pool, case_no) == []


async def test_same_as_last_time_opens_a_case_with_the_same_type_place_and_phone_in_one_tap(
    reporting: Reporting,
) -> None:
    officer, _ = await bangkok_inspector(reporting)
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    await citizen.says("081-234-5678")
    first = await citizen.hears_case_number()
    handle = reporting.env.client.get_workflow_handle(case_workflow_id(first))
    await handle.execute_update(CaseWorkflow.act, OfficerAction(kind=ActionKind.CLOSE, officer=officer,
                                                                note="ระงับเหตุแล้ว"))
    await ended(handle)
    await citizen.hears()  # closed
    await reporting.env.sleep(timedelta(hours=3))

    await citizen.says("แจ้งเหตุ")
    [question] = await citizen.hears()
    labels = [action["label"] for action in actions_of(question)]
    assert REPEAT in labels and "กักขังหน่วงเหนี่ยว" in labels  # besides the normal way
    tapped = await citizen.taps(REPEAT)
    second = await citizen.hears_case_number()
    assert second != first

    before, after = await reporting.case_row(first), await reporting.case_row(second)
    same = ("incident_type_code", "province_code", "district_code", "phone_e164", "latitude", "longitude",
            "location_address")
    assert [after[column] for column in same] == [before[column] for column in same]
    assert (after["complete"], after["reported_at"]) == (True, sent_at(tapped))
    earlier, opening = await case_opening(reporting, first), await case_opening(reporting, second)
    assert (opening.report.place, opening.report.phone) == (earlier.report.place, earlier.report.phone)
    assert opening.report.repeat_of == first


async def test_a_follow_up_no_officer_can_receive_is_kept_and_the_reporter_is_told_so(scene: Scene) -> None:
    case_no, inspector = await ended_case(scene, acknowledged=True)
    await scene.pool.execute("update officers set active = false where station_id = $1", scene.station_id)
    await scene.env.sleep(timedelta(hours=1))

    await scene.reporter.says("เขากลับมาอีกแล้ว")
    [told] = await scene.reporter.hears()
    assert case_no in text_of(told) and "ติดต่อเจ้าหน้าที่ไม่ได้" in text_of(told) and "191" in text_of(told)
    assert len(await eventually(lambda: follow_ups(scene.pool, case_no))) == 1
    await inspector.hears_nothing(within=0.3)


# --- an alert button handed over by an API from before the webhook answered them ---------------


async def test_an_ended_cases_tap_an_older_api_hands_to_the_conversation_is_still_answered(
        scene: Scene, reporting: Reporting) -> None:
    """While a deploy rolls, an API process from before ALERT_TAPS_IN_THE_WEBHOOK may still hand the
    tap on an ended case's alert to the tapper's conversation: it is answered as it always was."""
    case_no, inspector = await ended_case(scene, acknowledged=False)
    tap = read_event(events.postback(scene.platform, scene.station_line,
                                     f"action=officer&code=ACKNOWLEDGE&case={case_no}"), 0)
    assert isinstance(tap, LineEvent)
    await reporting.gateway._hand_to_conversation(tap)  # what the older API did once the case had ended

    [answer] = await inspector.hears()
    assert text_of(answer) == f"{case_no}: ทำรายการไม่ได้ — เรื่องนี้ปิดไปแล้ว"
