"""What the hand-off says on LINE: the consent question and its answers to the reporter (discreet),
the team members' cards that open the back office, the alert's accept button and its answers, and
(with the officers' messages, tested in test_officer_messages) the case handed back to the police:
all within LINE's schema."""

from __future__ import annotations

import re
from typing import Any

import pytest
from linebot.v3.messaging import PushMessageRequest
from temporalio.testing import ActivityEnvironment

from activities.line import LineMessenger
from configuration.settings import Settings
from domain.models import BotMessage, Delivery, Language, Prompt
from domain.postbacks import Postback
from rendering.citizen_messages import render
from tests.conversation import actions_of, nodes_in, text_of
from tests.fake_line import FakeLine

CASE_NO = "ESS-2026-000123"
HANDOFF_ID = "ESS-2026-000123-1"
PATH = f"/office/handoffs/{HANDOFF_ID}"
PUBLIC_URL = "https://ess.example.org"
# Every link to the back office goes through LINE Login: the member lands on the page signed in.
SIGNED_IN = "/office/line-login?next="
PLACE = {"incident_th": "กักขังหน่วงเหนี่ยว", "incident_en": "Unlawfully detained or confined",
         "place_th": "คลองเตย, กรุงเทพมหานคร", "place_en": "Khlong Toei, Bangkok"}
ALERT = {
    "case_no": CASE_NO, "handoff_id": HANDOFF_ID, **PLACE, "path": PATH,
    "forwarded_at": "2026-11-30T01:15:00+00:00",  # 08:15 in Thailand
    "accept_due_at": "2026-11-30T17:15:00+00:00",  # 00:15 the next day in Thailand
    "level": 0, "reminder": False, "forward_note": "ผู้เสียหายเป็นเด็ก ต้องการที่พักด่วน",
}
ASSIGNED = {"case_no": CASE_NO, "handoff_id": HANDOFF_ID, **PLACE, "path": PATH}
REMINDER = {"case_no": CASE_NO, "handoff_id": HANDOFF_ID, "number": 2, "kind": "HOME_VISIT",
            "due_at": "2026-12-02T03:00:00+00:00", "overdue": False, "path": PATH}
TAP = {"case_no": CASE_NO, "handoff_id": HANDOFF_ID, "path": PATH}
# Every message the hand-off sends, with the params its senders give.
EVERY_NEW_MESSAGE = [
    BotMessage(prompt=Prompt.CONSENT_QUESTION, params={"case_no": CASE_NO, "handoff_id": HANDOFF_ID}),
    BotMessage(prompt=Prompt.CONSENT_THANKS, params={"case_no": CASE_NO, "consent": "GIVEN"}),
    BotMessage(prompt=Prompt.CONSENT_THANKS, params={"case_no": CASE_NO, "consent": "REFUSED"}),
    BotMessage(prompt=Prompt.REPORTER_IN_CARE, params={"case_no": CASE_NO}),
    BotMessage(prompt=Prompt.MESSAGE_FROM_CARE, params={"case_no": CASE_NO, "text": "สะดวกให้โทรช่วงไหนคะ"}),
    BotMessage(prompt=Prompt.CASE_RETURNED, params={"case_no": CASE_NO, "reason": "อยู่นอกพื้นที่จังหวัด", **PLACE}),
    BotMessage(prompt=Prompt.HANDOFF_ALERT, params=ALERT),
    BotMessage(prompt=Prompt.HANDOFF_ALERT, params={**ALERT, "reminder": True}),
    BotMessage(prompt=Prompt.HANDOFF_ALERT, params={**ALERT, "level": 2}),
    BotMessage(prompt=Prompt.HANDOFF_ASSIGNED, params=ASSIGNED),
    BotMessage(prompt=Prompt.FOLLOW_UP_REMINDER, params=REMINDER),
    BotMessage(prompt=Prompt.FOLLOW_UP_REMINDER, params={**REMINDER, "overdue": True}),
    # The answers to a team member's tap on the alert's accept button.
    BotMessage(prompt=Prompt.HANDOFF_ACCEPTED_BY_TAP, params=TAP),
    BotMessage(prompt=Prompt.HANDOFF_TAKEN, params={**TAP, "status": "IN_CARE"}),
    BotMessage(prompt=Prompt.HANDOFF_TAKEN, params={**TAP, "status": "REJECTED"}),
    BotMessage(prompt=Prompt.HANDOFF_TAKEN, params={**TAP, "status": "CLOSED"}),
    BotMessage(prompt=Prompt.HANDOFF_TAP_REFUSED, params={
        **TAP, "reason_th": "เรื่องนี้เป็นของทีมจังหวัดอื่น", "reason_en": "this hand-off belongs to another province's team"}),
    BotMessage(prompt=Prompt.HANDOFF_NEEDS_BACK_OFFICE, params=TAP),
    # Supervision: the office head asked to approve, the answer to whoever asked, the approve button's answers.
    BotMessage(prompt=Prompt.APPROVAL_REQUESTED, params={**ASSIGNED, "subject": "CLOSURE", "risk_level": "LOW",
                                                         "outcome": "SAFE_WITH_FAMILY"}),
    BotMessage(prompt=Prompt.APPROVAL_REQUESTED, params={**ASSIGNED, "subject": "HIGH_RISK_PLAN",
                                                         "risk_level": "HIGH", "outcome": None}),
    BotMessage(prompt=Prompt.APPROVAL_ANSWERED, params={**ASSIGNED, "subject": "CLOSURE", "approved": True,
                                                        "reason": None}),
    BotMessage(prompt=Prompt.APPROVAL_ANSWERED, params={**ASSIGNED, "subject": "HIGH_RISK_PLAN", "approved": False,
                                                        "reason": "ขอแผนย้ายเข้าบ้านพักก่อน"}),
    BotMessage(prompt=Prompt.APPROVED_BY_TAP, params={**TAP, "subject": "CLOSURE"}),
    BotMessage(prompt=Prompt.APPROVAL_TAP_REFUSED, params={
        **TAP, "subject": "CLOSURE", "reason_th": "ไม่มีเรื่องรออนุมัตินี้แล้ว",
        "reason_en": "nothing of that kind waits for approval"}),
    BotMessage(prompt=Prompt.FOLLOW_UP_REMINDER, params={**REMINDER, "kind": "RISK_REVIEW"}),
    # A care offered to another province's team, and the answer to whoever offered it.
    BotMessage(prompt=Prompt.TRANSFER_ALERT, params={**ASSIGNED, "from_province": "10", "level": 0, "reminder": False,
                                                     "accept_due_at": "2026-12-02T03:00:00+00:00",
                                                     "transfer_note": "ย้ายไปอยู่กับป้า"}),
    BotMessage(prompt=Prompt.TRANSFER_ALERT, params={**ASSIGNED, "from_province": "10", "level": 1, "reminder": False,
                                                     "accept_due_at": "2026-12-02T03:00:00+00:00",
                                                     "transfer_note": ""}),
    BotMessage(prompt=Prompt.TRANSFER_ANSWERED, params={**ASSIGNED, "accepted": True, "to_province": "50",
                                                        "reason": None}),
    BotMessage(prompt=Prompt.TRANSFER_ANSWERED, params={**ASSIGNED, "accepted": False, "to_province": "50",
                                                        "reason": "อยู่นอกพื้นที่"}),
    BotMessage(prompt=Prompt.FOLLOW_UP_REMINDER, params={**REMINDER, "kind": "REFERRAL", "overdue": True,
                                                         "agency_th": "ศูนย์พึ่งได้ โรงพยาบาลทดสอบ",
                                                         "agency_en": "OSCC, Test Hospital"}),
]
REPORTER_PROMPTS = (Prompt.CONSENT_QUESTION, Prompt.CONSENT_THANKS, Prompt.REPORTER_IN_CARE, Prompt.MESSAGE_FROM_CARE)
TEAM_PROMPTS = (Prompt.HANDOFF_ALERT, Prompt.HANDOFF_ASSIGNED, Prompt.FOLLOW_UP_REMINDER)
# Words that would tell someone reading over the reporter's shoulder what this is about.
GIVEAWAY_WORDS = ("ตำรวจ", "ความรุนแรง", "ทำร้าย", "ล่วงละเมิด", "ทีมสหวิชาชีพ", "police", "abuse", "violen", "victim")
THAI_DATE = re.compile(r"\d{2}/\d{2}/25\d{2} \d{2}:\d{2}")


def shown(message: BotMessage, language: Language, public_url: str = PUBLIC_URL) -> dict[str, Any]:
    rendered = render(message, language, public_url=public_url)
    PushMessageRequest.from_dict({"to": "U" + "0" * 32, "messages": [rendered]})  # LINE's own schema
    return rendered


def words(rendered: dict[str, Any]) -> str:
    """Everything a person can read in a message: its text, alt text, card texts and button labels."""
    texts = [text_of(rendered)]
    texts += [node["text"] for node in nodes_in(rendered.get("contents")) if node.get("type") == "text"]
    texts += [action.get("label", "") for action in actions_of(rendered)]
    return "\n".join(texts)


@pytest.mark.parametrize("language", [Language.THAI, Language.ENGLISH])
@pytest.mark.parametrize("message", EVERY_NEW_MESSAGE,
                         ids=[f"{n}-{m.prompt.value}" for n, m in enumerate(EVERY_NEW_MESSAGE)])
def test_every_new_message_renders_in_both_languages_within_lines_schema(message: BotMessage, language) -> None:
    text = words(shown(message, language))
    assert CASE_NO in text
    # Apart from what people wrote or named in Thai (a note, a reason, a place), the words are the reader's.
    for value in message.params.values():
        text = text.replace(value, "") if isinstance(value, str) else text
    assert bool(re.search(r"[\u0e00-\u0e7f]", text)) == (language == Language.THAI)


@pytest.mark.parametrize("language", [Language.THAI, Language.ENGLISH])
@pytest.mark.parametrize("prompt", REPORTER_PROMPTS)
def test_what_the_reporter_reads_gives_nothing_away(prompt: Prompt, language: Language) -> None:
    for message in (m for m in EVERY_NEW_MESSAGE if m.prompt == prompt):
        text = words(shown(message, language)).casefold()
        assert not [word for word in GIVEAWAY_WORDS if word in text]
        assert len(text_of(shown(message, language))) < 120  # a glance, not a letter


def test_the_consent_chips_carry_the_answer_and_the_handoff_and_decode_back() -> None:
    question = EVERY_NEW_MESSAGE[0]
    for language, yes, no in ((Language.THAI, "ยินยอม", "ไม่ยินยอม"), (Language.ENGLISH, "Yes", "No")):
        chips = {action["label"]: action for action in actions_of(shown(question, language))}
        assert set(chips) == {yes, no}
        assert Postback.decode(chips[yes]["data"]) == Postback(action="consent", code="YES", handoff_id=HANDOFF_ID)
        assert Postback.decode(chips[no]["data"]) == Postback(action="consent", code="NO", handoff_id=HANDOFF_ID)
        assert chips[yes]["displayText"] == yes  # what the reporter's own bubble shows: one neutral word


def test_thanks_for_a_yes_differs_from_thanks_for_a_no() -> None:
    given, refused = (m for m in EVERY_NEW_MESSAGE if m.prompt == Prompt.CONSENT_THANKS)
    for language in Language:
        assert text_of(shown(given, language)) != text_of(shown(refused, language))
    assert "ไม่มีการติดต่อกลับ" in text_of(shown(refused, Language.THAI))
    assert "no one will contact you" in text_of(shown(refused, Language.ENGLISH))


def test_a_new_handoff_card_gives_the_facts_and_the_time_to_accept_by_in_thai_dates() -> None:
    card = shown(BotMessage(prompt=Prompt.HANDOFF_ALERT, params=ALERT), Language.THAI)
    text = words(card)
    assert "เรื่องส่งต่อจากตำรวจ" in text and PLACE["incident_th"] in text and PLACE["place_th"] in text
    assert "30/11/2569 08:15" in text  # forwarded, Buddhist era, Thailand's time
    assert "รับเรื่องภายใน 01/12/2569 00:15" in text
    assert ALERT["forward_note"] in text
    english = words(shown(BotMessage(prompt=Prompt.HANDOFF_ALERT, params=ALERT), Language.ENGLISH))
    assert "Accept by 01/12/2026 00:15" in english and "30/11/2026 08:15" in english


@pytest.mark.parametrize(("changes", "thai", "english"), [
    ({"reminder": True}, "เตือน: ยังไม่มีผู้รับเรื่อง", "Reminder: not accepted yet"),
    ({"level": 1}, "ครบเวลารับเรื่องแล้ว (ขั้นที่ 1)", "Time to accept is up (level 1)"),
    ({"level": 2}, "ครบเวลารับเรื่องแล้ว (ขั้นที่ 2)", "Time to accept is up (level 2)"),
])
def test_reminders_and_escalations_say_so_in_their_title(changes: dict, thai: str, english: str) -> None:
    message = BotMessage(prompt=Prompt.HANDOFF_ALERT, params={**ALERT, **changes})
    assert shown(message, Language.THAI)["altText"].startswith(thai)
    assert shown(message, Language.ENGLISH)["altText"].startswith(english)
    assert "เรื่องส่งต่อจากตำรวจ" not in words(shown(message, Language.THAI))


def test_follow_up_reminders_name_the_follow_up_its_kind_and_when_it_is_due() -> None:
    due_soon = words(shown(BotMessage(prompt=Prompt.FOLLOW_UP_REMINDER, params=REMINDER), Language.THAI))
    assert "ใกล้ถึงกำหนดติดตาม ครั้งที่ 2" in due_soon and "เยี่ยมบ้าน" in due_soon and "02/12/2569 10:00" in due_soon
    overdue = words(shown(BotMessage(prompt=Prompt.FOLLOW_UP_REMINDER, params={**REMINDER, "overdue": True}),
                          Language.ENGLISH))
    assert "Follow-up 2 is overdue" in overdue and "Home visit" in overdue and "Due 02/12/2026 10:00" in overdue


@pytest.mark.parametrize("prompt", TEAM_PROMPTS)
@pytest.mark.parametrize("public_url", [PUBLIC_URL, PUBLIC_URL + "/", "http://localhost:8000"])
def test_each_team_card_has_one_link_that_opens_the_handoff_in_the_back_office(prompt: Prompt, public_url) -> None:
    message = next(m for m in EVERY_NEW_MESSAGE if m.prompt == prompt)
    for language, label in ((Language.THAI, "เปิดในระบบหลังบ้าน"), (Language.ENGLISH, "Open in the back office")):
        [link] = [action for action in actions_of(shown(message, language, public_url)) if action["type"] == "uri"]
        assert link == {"type": "uri", "label": label, "uri": public_url.rstrip("/") + SIGNED_IN + PATH}


@pytest.mark.parametrize("changes", [{}, {"reminder": True}, {"level": 1}, {"level": 2}])
def test_every_handoff_alert_also_has_a_button_that_accepts_it_and_only_the_alert_has_one(changes: dict) -> None:
    """(An approval request has a button of its own, that approves.)"""
    alert = BotMessage(prompt=Prompt.HANDOFF_ALERT, params={**ALERT, **changes})
    for language, label in ((Language.THAI, "รับเรื่องนี้"), (Language.ENGLISH, "Accept")):
        [accept] = [action for action in actions_of(shown(alert, language)) if action["type"] == "postback"]
        assert (accept["label"], accept["displayText"]) == (label, f"{label} {CASE_NO}")
        assert Postback.decode(accept["data"]) == Postback(action="team", code="ACCEPT", handoff_id=HANDOFF_ID)
        assert len(accept["data"]) <= 300  # LINE's limit for postback data
    for message in EVERY_NEW_MESSAGE:
        if message.prompt != Prompt.HANDOFF_ALERT:
            assert not [a for a in actions_of(shown(message, Language.THAI)) if a["type"] == "postback"
                        and Postback.decode(a["data"]).code == "ACCEPT"]


def test_an_approval_request_has_a_button_that_approves_what_it_names_and_a_reason_never_shows_a_phone() -> None:
    request = shown(BotMessage(prompt=Prompt.APPROVAL_REQUESTED, params={
        **ASSIGNED, "subject": "HIGH_RISK_PLAN", "risk_level": "HIGH", "outcome": None}), Language.THAI)
    [approve] = [action for action in actions_of(request) if action["type"] == "postback"]
    tapped = Postback.decode(approve["data"])
    assert (tapped.action, tapped.code, tapped.handoff_id) == ("team", "APPROVE_HIGH_RISK_PLAN", HANDOFF_ID)
    assert approve["label"] == "อนุมัติ" and "ความเสี่ยงสูง" in words(request)
    sent_back = shown(BotMessage(prompt=Prompt.APPROVAL_ANSWERED, params={
        **ASSIGNED, "subject": "CLOSURE", "approved": False, "reason": "โทรหาผู้เสียหายที่ 081-234-5678 ก่อน"}),
        Language.THAI)
    assert "081-234-5678" not in words(sent_back) and "5678" in words(sent_back)


def test_the_answers_to_the_accept_button_say_what_happened_in_words_not_status_codes() -> None:
    def said(prompt: Prompt, language: Language = Language.THAI, **params) -> str:
        return text_of(shown(BotMessage(prompt=prompt, params={**TAP, **params}), language))

    assert "ท่านเป็นผู้ดูแลเรื่องนี้" in said(Prompt.HANDOFF_ACCEPTED_BY_TAP)
    assert PUBLIC_URL + SIGNED_IN + PATH in said(Prompt.HANDOFF_ACCEPTED_BY_TAP)  # the care plan is made there
    taken = {status: said(Prompt.HANDOFF_TAKEN, status=status) for status in ("IN_CARE", "REJECTED", "CLOSED")}
    assert "ทีมรับเรื่องนี้แล้ว" in taken["IN_CARE"] and len(set(taken.values())) == 3
    assert not [text for text in taken.values() if re.search(r"IN_CARE|REJECTED|CLOSED", text)]
    assert "already accepted" in said(Prompt.HANDOFF_TAKEN, Language.ENGLISH, status="IN_CARE")
    refused = {"reason_th": "เรื่องนี้เป็นของทีมจังหวัดอื่น", "reason_en": "another province's team"}
    assert said(Prompt.HANDOFF_TAP_REFUSED, **refused).endswith("เรื่องนี้เป็นของทีมจังหวัดอื่น")
    assert said(Prompt.HANDOFF_TAP_REFUSED, Language.ENGLISH, **refused).endswith("another province's team")
    assert PUBLIC_URL + SIGNED_IN + PATH in said(Prompt.HANDOFF_NEEDS_BACK_OFFICE)  # where the case worker is chosen


def test_someone_not_on_a_team_hears_so_and_nothing_about_the_handoff() -> None:
    for language, expected in ((Language.THAI, "ไม่ได้อยู่ในทีมสหวิชาชีพ"),
                               (Language.ENGLISH, "not on a multidisciplinary team")):
        text = text_of(shown(BotMessage(prompt=Prompt.NOT_A_TEAM_MEMBER, params=TAP), language))
        assert expected in text
        assert CASE_NO not in text and "http" not in text


def test_the_conversation_says_a_handoff_has_ended() -> None:
    assert text_of(render(BotMessage(prompt=Prompt.HANDOFF_ENDED), Language.THAI)) == "เรื่องนี้ปิดการส่งต่อแล้ว"
    assert text_of(render(BotMessage(prompt=Prompt.HANDOFF_ENDED), Language.ENGLISH)) == "This hand-off has ended."


def test_a_team_card_cannot_be_rendered_without_knowing_where_the_back_office_is() -> None:
    with pytest.raises(ValueError):
        render(BotMessage(prompt=Prompt.HANDOFF_ASSIGNED, params=ASSIGNED), Language.THAI)


@pytest.mark.parametrize(("typed", "masked"), [
    ("081-234-5678", "xxx-xxx-5678"),
    ("0812345678", "xxx-xxx-5678"),
    ("+66 81 234 5678", "xxx-xxx-5678"),
    ("02 123 4567", "xx-xxx-4567"),
    ("๐๘๑๒๓๔๕๖๗๘", "xxx-xxx-๕๖๗๘"),
])
def test_no_phone_number_reaches_the_team_even_inside_the_police_note(typed: str, masked: str) -> None:
    note = f"ผู้แจ้งขอให้โทร {typed} ก่อนเข้าพื้นที่ (เรื่อง {CASE_NO})"
    extra = {"phone_e164": "+66891112222", "phone_national": "089-111-2222", "reporter_name": "สมหญิง ใจดี"}
    message = BotMessage(prompt=Prompt.HANDOFF_ALERT, params={**ALERT, **extra, "forward_note": note})
    for language in Language:
        text = words(shown(message, language))
        assert typed not in text and "089-111-2222" not in text and "สมหญิง" not in text
        # The rest of the note is kept as written, the case number included.
        assert f"ผู้แจ้งขอให้โทร {masked} ก่อนเข้าพื้นที่ (เรื่อง {CASE_NO})" in text


async def test_the_messenger_links_team_cards_to_the_public_url_and_line_accepts_every_new_message(
    fake_line: FakeLine, line_settings: Settings,
) -> None:
    """Sent for real to the fake LINE platform, which checks LINE's schema and limits."""
    messenger = LineMessenger(line_settings.model_copy(update={"public_url": PUBLIC_URL}), request_timeout=2.0)
    user = fake_line.platform.add_user()
    try:
        for language in Language:
            for start in range(0, len(EVERY_NEW_MESSAGE), 5):  # LINE takes five messages per push
                delivery = Delivery(key=f"team-messages-{language}-{start}", user_id=user.user_id, language=language,
                                    messages=EVERY_NEW_MESSAGE[start:start + 5])
                await ActivityEnvironment().run(messenger.send_line_messages, delivery)
    finally:
        await messenger.close()
    received = [entry.message for entry in fake_line.platform.bot_messages(user.user_id)]
    assert len(received) == 2 * len(EVERY_NEW_MESSAGE)
    links = {action["uri"] for message in received for action in actions_of(message) if action["type"] == "uri"}
    assert links == {PUBLIC_URL + SIGNED_IN + PATH}
    assert sum(bool(THAI_DATE.search(words(message))) for message in received) == 9  # the Thai cards with a date
