"""The citizen's conversation, on the time-skipping server with the real activities:
the three steps, cancel, off-script messages, a wrong phone number, a place abroad, silence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus

from api.line_events import read_event
from tests.conversation import BANGKOK_PIN, CASE_NUMBER, VIENTIANE_PIN, Citizen, actions_of, text_of
from tests.waiting import eventually
from tests.workflows.conftest import Reporting
from workflows.ids import case_workflow_id

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
    choices = {action["data"]: action["label"] for action in actions_of(question) if "action=type" in action.get("data", "")}
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
    assert all(entry.notification_disabled for entry in citizen.platform.bot_messages(citizen.user_id) if entry.via == "push")
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
@pytest.mark.parametrize("step", STEPS)
async def test_silence_gets_one_reminder_then_a_case_if_the_place_is_known(reporting: Reporting, step: str) -> None:
    citizen = reporting.citizen()
    await reach(citizen, step)
    timeouts = reporting.settings

    await reporting.env.sleep(timeouts.intake_reminder_after - 10 * SECOND)
    await citizen.hears_nothing(within=0.3)
    await reporting.env.sleep(20 * SECOND)
    reminder, question = await citizen.hears(count=2)
    assert "ยังแจ้งเหตุต่อได้" in text_of(reminder)

    await reporting.env.sleep(timeouts.intake_give_up_after + SECOND)
    [last] = await citizen.hears()
    cases = await reporting.cases_of(citizen)
    if step in ("confirm_location", "phone"):  # the place is known: help is sent anyway
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
    for wrong in ("12345", "+1 415 555 0100", "โทรไม่ได้"):
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
