"""What shows on the reporter's screen, which the person they fear may see: their own bubble for a
chosen incident says only that they chose, a reminder after a silence repeats nothing of the report
(not the place, not the incidents), and once per report they are told, inside the message with the
case number, that they may delete the chat. Seen from the reporter's side of the fake LINE."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from tests.conversation import BANGKOK_PIN, Citizen, actions_of, text_of
from tests.workflows.conftest import Reporting

SECOND = timedelta(seconds=1)
DELETE_CHAT_TIP = "ลบแชตได้"


async def incident_words(pool: asyncpg.Pool) -> set[str]:
    """Every incident's name, in both languages, and each word of the English ones."""
    rows = await pool.fetch("SELECT label_th, label_en FROM incident_types")
    names = {row["label_th"] for row in rows} | {row["label_en"] for row in rows}
    return names | {word for row in rows for word in row["label_en"].split() if len(word) > 3}


def bubbles_of(citizen: Citizen, sender: str) -> list[str]:
    return [text_of(entry.message) for entry in citizen.platform.chat(citizen.user_id) if entry.sender == sender]


async def test_the_reporters_own_bubble_for_a_chosen_incident_names_no_incident(reporting: Reporting) -> None:
    words = await incident_words(reporting.pool)
    for language, start in (("th", "แจ้งเหตุ"), ("en", "report")):
        citizen = reporting.citizen(language=language)
        await citizen.says(start)
        [question] = await citizen.hears()
        choices = [action for action in actions_of(question) if "action=type" in action.get("data", "")]
        assert len(choices) >= 10  # each incident as a button and as a chip by the keyboard
        shown = {action["displayText"] for action in choices}
        assert shown == {"เลือกแล้ว" if language == "th" else "Chosen"}

        await citizen.taps(choices[0]["label"])
        await citizen.hears()  # the next step
        said = bubbles_of(citizen, "user")
        assert said[-1] in shown
        assert not [bubble for bubble in said for word in words if word.casefold() in bubble.casefold()]


async def test_a_reminder_repeats_neither_the_place_nor_the_incidents_and_the_report_goes_on(
        reporting: Reporting) -> None:
    words = await incident_words(reporting.pool)
    citizen = reporting.citizen()
    await citizen.says("แจ้งเหตุ")
    [incidents] = await citizen.hears()
    await reporting.env.sleep(reporting.settings.intake_reminder_after + SECOND)
    [reminder] = await citizen.hears()
    await citizen.hears_nothing(within=0.3)  # the question is not sent again
    assert not [word for word in words if word in text_of(reminder)]
    assert not [action for action in actions_of(reminder) if "action=type" in action.get("data", "")]
    await citizen.taps("กักขังหน่วงเหนี่ยว", in_message=incidents)  # the buttons above still work

    [_ask_location] = await citizen.hears()
    await citizen.pins(**BANGKOK_PIN)
    [confirm] = await citizen.hears()
    place_words = [BANGKOK_PIN["title"], "คลองเตย", "กรุงเทพ"]
    assert all(word in text_of(confirm) for word in place_words[1:])
    await reporting.env.sleep(reporting.settings.intake_reminder_after + SECOND)
    [reminder] = await citizen.hears()
    await citizen.hears_nothing(within=0.3)
    assert not [word for word in place_words if word in text_of(reminder)]
    assert "ยังทำต่อได้" in text_of(reminder)
    await citizen.taps("ถูกต้อง")  # the step's buttons come with the reminder

    [ask_phone] = await citizen.hears()
    assert "เบอร์" in text_of(ask_phone)


async def test_the_delete_chat_tip_comes_once_per_report_with_the_case_number(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await citizen.says("แจ้งเหตุ")
    await citizen.hears()
    await citizen.taps("กักขังหน่วงเหนี่ยว")
    await citizen.hears()
    await citizen.pins(**BANGKOK_PIN)
    await citizen.hears()
    await citizen.taps("ถูกต้อง")
    await citizen.hears()
    await citizen.says("081-234-5678")
    [opened] = await citizen.hears()
    assert DELETE_CHAT_TIP in text_of(opened) and "ESS-" in text_of(opened)

    await citizen.says("เขายังอยู่ที่นี่")  # a follow-up on the open case
    await citizen.hears()
    await citizen.sends_photo()
    await citizen.hears()
    tips = [bubble for bubble in bubbles_of(citizen, "bot") if DELETE_CHAT_TIP in bubble]
    assert tips == [text_of(opened)]
    # Said once, quietly: no message of its own, and the chat went on with no sound.
    assert all(entry.notification_disabled for entry in citizen.platform.bot_messages(citizen.user_id)
               if entry.via == "push")
