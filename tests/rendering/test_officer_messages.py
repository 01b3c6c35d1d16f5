"""What an officer reads on LINE: the case alert card, in Thai (Buddhist era) and English."""

from __future__ import annotations

from linebot.v3.messaging import PushMessageRequest

from domain.models import BotMessage, Language, Prompt
from rendering.citizen_messages import render
from tests.conversation import actions_of, nodes_in

ALERT = {
    "case_no": "ESS-2026-000123", "level": 0, "reported_at": "2026-11-29T23:40:00+00:00",
    "incident_th": "กักขังหน่วงเหนี่ยว", "incident_en": "Unlawfully detained or confined",
    "place_th": "คลองเตย, กรุงเทพมหานคร", "place_en": "Khlong Toei, Bangkok",
    "address": "ซอยสุขุมวิท 22 แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110",
    "latitude": 13.722, "longitude": 100.56, "phone_e164": "+66812345678", "phone_national": "081-234-5678",
    "complete": True, "review_flag": False,
}


def card(language: Language, **changes) -> dict:
    message = render(BotMessage(prompt=Prompt.CASE_ALERT, params={**ALERT, **changes}), language)
    PushMessageRequest.from_dict({"to": "U" + "0" * 32, "messages": [message]})  # LINE's own schema
    return message


def texts(message: dict) -> list[str]:
    return [node["text"] for node in nodes_in(message["contents"]) if node.get("type") == "text"]


def test_the_alert_has_time_in_the_buddhist_era_place_phone_and_the_four_buttons() -> None:
    message = card(Language.THAI)
    shown = texts(message)
    assert "30/11/2569 06:40" in shown  # 23:40 UTC is 06:40 the next day in Thailand
    assert ALERT["address"] in shown and "081-234-5678" in shown
    actions = {action["label"]: action for action in actions_of(message)}
    assert actions["รับทราบ"]["data"] == "action=officer&code=ACKNOWLEDGE&case=ESS-2026-000123"
    assert actions["โทรหาผู้แจ้ง"]["uri"] == "tel:+66812345678"
    assert "13.722,100.56" in actions["แผนที่"]["uri"]


def test_open_signs_the_officer_in_with_line_and_opens_the_case_page() -> None:
    message = render(BotMessage(prompt=Prompt.CASE_ALERT, params=ALERT), Language.THAI,
                     public_url="https://ess.example.org/")
    PushMessageRequest.from_dict({"to": "U" + "0" * 32, "messages": [message]})
    opened = {action["label"]: action for action in actions_of(message)}["เปิดเรื่อง"]
    assert opened == {"type": "uri", "label": "เปิดเรื่อง",
                      "uri": "https://ess.example.org/office/line-login?next=/office/cases/ESS-2026-000123"}


def test_without_a_public_address_open_answers_with_the_case_summary_in_the_chat() -> None:
    opened = {action["label"]: action for action in actions_of(card(Language.ENGLISH))}["Open"]
    assert opened["type"] == "postback" and opened["data"] == "action=officer&code=OPEN&case=ESS-2026-000123"


def test_the_place_is_not_repeated_when_lines_address_already_names_the_district() -> None:
    assert ALERT["address"] in texts(card(Language.THAI))
    assert not any("คลองเตย, กรุงเทพมหานคร" in text for text in texts(card(Language.THAI)))
    # An English reader of a Thai address still gets the district in English.
    assert any(text.endswith("Khlong Toei, Bangkok") for text in texts(card(Language.ENGLISH)))
    # No address at all: the derived place.
    assert "คลองเตย, กรุงเทพมหานคร" in texts(card(Language.THAI, address=None))


def test_an_escalated_incomplete_alert_from_a_flagged_reporter_says_so_in_english() -> None:
    message = card(Language.ENGLISH, level=2, complete=False, review_flag=True, phone_e164=None, phone_national=None)
    shown = " ".join(texts(message))
    assert "No one has acknowledged yet (level 2)" in shown and "29/11/2026 23:40" not in shown
    assert "30/11/2026 06:40" in shown  # common era for English readers
    assert "went quiet" in shown and "prank" in shown and "not given" in shown
    assert "Call" not in [action["label"] for action in actions_of(message)]


def test_when_the_team_hands_a_case_back_officers_read_why_and_that_it_is_theirs_again() -> None:
    params = {"case_no": "ESS-2026-000123", "reason": "ผู้เสียหายอยู่นอกจังหวัด", "incident_th": ALERT["incident_th"],
              "incident_en": ALERT["incident_en"], "place_th": ALERT["place_th"], "place_en": ALERT["place_en"]}
    thai, english = (render(BotMessage(prompt=Prompt.CASE_RETURNED, params=params), language)
                     for language in (Language.THAI, Language.ENGLISH))
    PushMessageRequest.from_dict({"to": "U" + "0" * 32, "messages": [thai, english]})  # LINE's own schema
    assert thai["text"].startswith("ESS-2026-000123: ทีมสหวิชาชีพส่งเรื่องคืน")
    assert "เหตุผล: ผู้เสียหายอยู่นอกจังหวัด" in thai["text"] and "คลองเตย, กรุงเทพมหานคร" in thai["text"]
    assert "open again at the station" in english["text"] and "Khlong Toei, Bangkok" in english["text"]
    assert "Unlawfully detained" in english["text"] and "กักขัง" not in english["text"]


def test_what_the_reporter_wrote_during_the_report_is_on_the_alert() -> None:
    shown = texts(card(Language.THAI, notes=["ช่วยด้วย เขาอยู่หน้าบ้าน", "มีมีดด้วย"]))
    assert "ผู้แจ้งพิมพ์ว่า" in shown and "ช่วยด้วย เขาอยู่หน้าบ้าน\nมีมีดด้วย" in shown
    assert "Reporter wrote" in texts(card(Language.ENGLISH, notes=["help"]))
    assert "ผู้แจ้งพิมพ์ว่า" not in texts(card(Language.THAI))  # nothing written, no row


def test_a_long_note_is_cut_on_the_alert_and_points_to_the_case_page() -> None:
    [written] = [text for text in texts(card(Language.ENGLISH, notes=["ก" * 3000])) if text.startswith("ก")]
    assert len(written) < 1100 and written.endswith("(more on the case page)")


def follow_up(language: Language, **params) -> str:
    message = render(BotMessage(prompt=Prompt.CASE_FOLLOW_UP, params={
        "case_no": "ESS-2026-000123", "status": "CLOSED", "phone": "081-234-5678", **params}), language)
    PushMessageRequest.from_dict({"to": "U" + "0" * 32, "messages": [message]})  # LINE's own schema
    return message["text"]


def test_a_follow_up_after_the_case_ended_names_the_case_what_came_and_the_number_to_call_back() -> None:
    words = follow_up(Language.THAI, message_type="text", text="เขากลับมาอีกแล้ว")
    assert words.splitlines() == ["ESS-2026-000123: ผู้แจ้งส่งข้อความมาหลังเรื่องจบแล้ว (ปิดเหตุ)",
                                  "เขากลับมาอีกแล้ว", "โทรกลับผู้แจ้ง: 081-234-5678"]
    place = follow_up(Language.ENGLISH, message_type="location", latitude=13.722, longitude=100.56, phone=None)
    assert place.splitlines() == ["ESS-2026-000123: the reporter wrote after the case ended (Closed)",
                                  "shared a location: https://www.google.com/maps/search/?api=1&query=13.722,100.56"]
    assert "รูปภาพ" in follow_up(Language.THAI, message_type="image")
