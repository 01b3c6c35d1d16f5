"""A citizen's report end to end: signed HTTP webhook → Temporal dev server → worker process →
PostgreSQL and the (fake) LINE platform. Includes a crash of the worker mid-conversation."""

from __future__ import annotations

from line_simulator import events
from tests.conversation import BANGKOK_PIN, CHIANG_MAI_PIN, VIENTIANE_PIN, Citizen, text_of
from tests.e2e.conftest import System
from tests.waiting import eventually


async def report_until_phone(citizen: Citizen, pin: dict = BANGKOK_PIN, type_label: str = "ข่มขู่จะทำร้าย / ทำร้าย") -> None:
    await citizen.says("แจ้งเหตุ")
    await citizen.hears()
    await citizen.taps(type_label)
    await citizen.hears()
    await citizen.pins(**pin)
    await citizen.hears()
    await citizen.taps("ถูกต้อง")
    await citizen.hears()


def bot_texts(citizen: Citizen) -> list[str]:
    return [text_of(entry.message) for entry in citizen.platform.bot_messages(citizen.user_id)]


async def test_a_thai_citizen_reports_and_gets_a_case_number(system: System) -> None:
    citizen = system.citizen()
    await citizen.follows()
    await citizen.hears()
    await report_until_phone(citizen, CHIANG_MAI_PIN)
    await citizen.says("0812345678")
    case_no = await citizen.hears_case_number()
    row = await system.pool.fetchrow("select * from cases where case_no = $1", case_no)
    assert (row["incident_type_code"], row["province_code"], row["complete"]) == ("THREAT_ASSAULT", "50", True)
    def timeline(at_least: int):
        async def read() -> list | None:
            events = await system.pool.fetch(
                "select kind, details from case_events where case_no = $1 order by id", case_no)
            return events if len(events) >= at_least else None
        return read

    # Reported, routed to the district's station, whose officers it alerts.
    events = await eventually(timeline(3))
    assert [e["kind"] for e in events[:3]] == ["REPORTED", "ROUTED", "ALERTED"]
    # Whether another test of the session linked an officer there is not this test's business; when
    # the alert reached nobody, the ladder climbs at once.
    if events[2]["details"]["reached"] == 0:
        events = await eventually(timeline(4))
        assert events[3]["kind"] == "ESCALATED"


async def test_an_english_citizen_reports_in_english(system: System) -> None:
    citizen = system.citizen(language="en")
    await citizen.says("report")
    [question] = await citizen.hears()
    assert text_of(question) == "What is happening? Choose one."
    await citizen.taps("Unlawfully detained or confined")
    [ask_location] = await citizen.hears()
    assert "Pin the place" in text_of(ask_location)
    await citizen.pins(**BANGKOK_PIN)
    [confirm] = await citizen.hears()
    assert "Khlong Toei, Bangkok" in text_of(confirm)
    await citizen.taps("Correct")
    [ask_phone] = await citizen.hears()
    assert "phone number" in text_of(ask_phone)
    await citizen.says("+66 81 234 5678")
    case_no = await citizen.hears_case_number()
    assert text_of(citizen.last_heard[0]).startswith("Received. Case number")
    row = await system.pool.fetchrow("select language, phone_e164 from cases where case_no = $1", case_no)
    assert (row["language"], row["phone_e164"]) == ("en", "+66812345678")


async def test_cancel_ends_the_report_without_a_case(system: System) -> None:
    citizen = system.citizen()
    await report_until_phone(citizen)
    await citizen.says("ยกเลิก")
    [answer] = await citizen.hears()
    assert text_of(answer) == "ยกเลิกแล้ว"
    assert await system.pool.fetchval("select count(*) from cases where line_user_id = $1", citizen.user_id) == 0


async def test_a_bad_phone_then_a_good_one(system: System) -> None:
    citizen = system.citizen()
    await report_until_phone(citizen)
    await citizen.says("191")
    [hint] = await citizen.hears()
    assert "0901234567" in text_of(hint)
    await citizen.says("02-123-4567")
    case_no = await citizen.hears_case_number()
    assert await system.pool.fetchval("select phone_e164 from cases where case_no = $1", case_no) == "+6621234567"


async def test_a_location_abroad_asks_for_a_new_pin(system: System) -> None:
    citizen = system.citizen()
    await citizen.says("แจ้งเหตุ")
    await citizen.hears()
    await citizen.taps("กักขังหน่วงเหนี่ยว")
    await citizen.hears()
    await citizen.pins(**VIENTIANE_PIN)
    [answer] = await citizen.hears()
    assert "นอกประเทศไทย" in text_of(answer)


async def test_redelivered_and_duplicated_events_change_nothing(system: System) -> None:
    citizen = system.citizen()
    start = await citizen.says("แจ้งเหตุ")
    await citizen.hears()
    for duplicate in (start, events.redelivered(start)):
        response = await system.post_event(duplicate)
        assert response.json()["delivered"] == 0
    # The same event twice in one request, as a confused proxy might send it.
    tap = events.postback(citizen.platform, citizen.user_id, "action=type&code=DETENTION")
    body, headers = events.signed_webhook(citizen.platform, [tap, tap], system.settings.line_channel_secret)
    assert (await system.http.post("/line/webhook", content=body, headers=headers)).json()["delivered"] == 1
    await citizen.hears()
    await citizen.hears_nothing(within=1.5)
    assert len(bot_texts(citizen)) == 2


async def test_a_bad_signature_is_refused(system: System) -> None:
    citizen = system.citizen()
    body, _ = events.signed_webhook(citizen.platform, [events.text(citizen.platform, citizen.user_id, "แจ้งเหตุ")],
                                    system.settings.line_channel_secret)
    response = await system.http.post("/line/webhook", content=body, headers={"x-line-signature": "AAAA"})
    assert response.status_code == 401
    await citizen.hears_nothing(within=1.0)


async def test_a_follow_up_photo_is_attached_to_the_open_case(system: System) -> None:
    citizen = system.citizen()
    await report_until_phone(citizen)
    await citizen.says("0898765432")
    case_no = await citizen.hears_case_number()
    await citizen.sends_photo(b"\x89PNG evidence")
    [ack] = await citizen.hears()
    assert case_no in text_of(ack)
    # "Received" means the photo is safe in Temporal; the case stores it a moment later.
    stored = await eventually(lambda: system.pool.fetchrow(
        "select content, content_type from case_attachments where case_no = $1", case_no
    ))
    assert stored["content"] == b"\x89PNG evidence"


async def test_the_worker_killed_mid_conversation_loses_nothing(system: System) -> None:
    citizen = system.citizen()
    await citizen.says("แจ้งเหตุ")
    await citizen.hears()
    await citizen.taps("กักขังหน่วงเหนี่ยว")
    await citizen.hears()

    system.worker.kill()
    # The webhook still takes the reporter's messages while no worker runs.
    await citizen.pins(**BANGKOK_PIN)
    await citizen.hears_nothing(within=0.5)
    system.worker.start()

    [confirm] = await citizen.hears(timeout=60)
    assert "คลองเตย" in text_of(confirm)
    await citizen.taps("ถูกต้อง")
    await citizen.hears()
    await citizen.says("0812345678")
    case_no = await citizen.hears_case_number()
    assert await system.pool.fetchval("select count(*) from cases where case_no = $1", case_no) == 1
    texts = bot_texts(citizen)
    assert len(texts) == 5, texts  # type question, location question, confirm, phone question, case number
