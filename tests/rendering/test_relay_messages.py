"""A reporter's message on an open case, as the officers who hold it see it in LINE, and the
officer's typed answer read back."""

from __future__ import annotations

from linebot.v3.messaging import PushMessageRequest

from domain.models import BotMessage, Language, Prompt
from domain.words import officer_reply
from rendering.citizen_messages import render

CASE = "ESS-2026-000123"


def valid_for_line(message: dict) -> dict:
    PushMessageRequest.from_dict({"to": "U" + "0" * 32, "messages": [message]})
    return message


def test_the_reporters_words_come_with_the_case_number_and_a_reply_button_that_types_the_answers_start() -> None:
    said = valid_for_line(render(BotMessage(prompt=Prompt.REPORTER_SAYS, params={
        "case_no": CASE, "message_type": "text", "text": "เขายังอยู่หน้าบ้าน มีมีดด้วย"}), Language.THAI))
    assert CASE in said["text"] and "เขายังอยู่หน้าบ้าน มีมีดด้วย" in said["text"]
    reply, open_case = (item["action"] for item in said["quickReply"]["items"])
    assert (reply["label"], reply["inputOption"], reply["fillInText"]) == (
        "ตอบกลับผู้แจ้ง", "openKeyboard", f"ตอบ {CASE}: "
    )
    assert open_case["data"] == f"action=officer&code=OPEN&case={CASE}"


def test_a_photo_is_the_image_itself_from_its_signed_link_and_a_place_is_a_map() -> None:
    photo = valid_for_line(render(
        BotMessage(prompt=Prompt.REPORTER_PHOTO, params={"case_no": CASE, "attachment_id": 7}),
        Language.THAI,
        attachment_url=lambda i: f"https://ess.example.org/line/attachments/{i}?s=x",
    ))
    assert photo == {"type": "image", "originalContentUrl": "https://ess.example.org/line/attachments/7?s=x",
                     "previewImageUrl": "https://ess.example.org/line/attachments/7?s=x"}
    place = valid_for_line(render(BotMessage(prompt=Prompt.REPORTER_PLACE, params={
        "case_no": CASE, "latitude": 13.72, "longitude": 100.56, "address": None}), Language.ENGLISH))
    assert (place["type"], place["latitude"], place["longitude"]) == ("location", 13.72, 100.56)
    assert place["title"] == f"{CASE} reporter's location" and place["address"] == "13.72000, 100.56000"


def test_a_message_without_words_says_what_came_and_whether_it_could_be_fetched() -> None:
    sticker = render(BotMessage(prompt=Prompt.REPORTER_SAYS, params={"case_no": CASE, "message_type": "sticker"}),
                     Language.THAI)
    assert "สติกเกอร์" in sticker["text"]
    video = render(BotMessage(prompt=Prompt.REPORTER_SAYS, params={
        "case_no": CASE, "message_type": "video", "failed": True}), Language.ENGLISH)
    assert "video" in video["text"] and "LINE would not give the file" in video["text"]


def test_an_officers_typed_answer_names_its_case() -> None:
    assert officer_reply(f"ตอบ {CASE}: ตำรวจกำลังไป อยู่ในห้องที่ล็อกได้") == (CASE, "ตำรวจกำลังไป อยู่ในห้องที่ล็อกได้")
    assert officer_reply(f"Reply {CASE.lower()}:  on our way\nstay inside ") == (CASE, "on our way\nstay inside")
    for not_an_answer in (f"ตอบ {CASE}: ", f"{CASE}: hello", "ตอบ ESS-26-1: x", None, "ช่วยด้วย"):
        assert officer_reply(not_an_answer) is None
