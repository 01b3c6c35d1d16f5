"""What the reporter sends on an open case, as the officers who hold it see it in LINE: the case
number, the words (a photo as the image itself, a shared place as a map), and a Reply button that
opens the keyboard with "ตอบ <case no>: " typed in. The officer's answer comes back as text
(`domain.words.officer_reply`) and goes to the reporter through the case. Thai first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.bilingual import pick
from domain.models import BotMessage, Language, Prompt
from domain.postbacks import Postback
from domain.words import REPLY_WORDS

RELAY_PROMPTS = frozenset({Prompt.REPORTER_SAYS, Prompt.REPORTER_PHOTO, Prompt.REPORTER_PLACE})
_KINDS: dict[str, tuple[str, str]] = {
    "image": ("📷 ส่งรูปภาพ", "📷 sent a photo"),
    "video": ("🎥 ส่งวิดีโอ (ดูได้ในหน้าเรื่องของระบบหลังบ้าน)", "🎥 sent a video (see the case page in the back office)"),
    "audio": ("🎤 ส่งข้อความเสียง (ฟังได้ในหน้าเรื่อง)", "🎤 sent a voice message (on the case page)"),
    "file": ("📎 ส่งไฟล์ (ดูได้ในหน้าเรื่อง)", "📎 sent a file (on the case page)"),
    "sticker": ("ส่งสติกเกอร์ (ผู้แจ้งอาจพิมพ์ไม่สะดวก)", "sent a sticker (the reporter may be unable to type)"),
    "location": ("📍 ส่งตำแหน่ง", "📍 shared a location"),
}
_FAILED = ("(ดึงไฟล์จาก LINE ไม่ได้)", "(LINE would not give the file)")


def render_relay(message: BotMessage, language: Language,
                 attachment_url: Callable[[int], str] | None = None) -> dict[str, Any]:
    params = message.params
    case_no = params["case_no"]
    if message.prompt == Prompt.REPORTER_PLACE:
        where = params.get("address") or f"{params['latitude']:.5f}, {params['longitude']:.5f}"
        return {"type": "location", "title": pick((f"{case_no} ตำแหน่งจากผู้แจ้ง", f"{case_no} reporter's location"),
                                                  language)[:100],
                "address": where[:100], "latitude": params["latitude"], "longitude": params["longitude"]}
    if message.prompt == Prompt.REPORTER_PHOTO:
        if attachment_url is None:
            raise ValueError("a photo for officers is shown from a signed link: attachment_url is needed")
        url = attachment_url(int(params["attachment_id"]))
        return {"type": "image", "originalContentUrl": url, "previewImageUrl": url}
    heading = pick((f"💬 {case_no} ผู้แจ้งส่งข้อความ", f"💬 {case_no} the reporter wrote"), language)
    kind = params.get("message_type", "text")
    lines = [heading]
    if kind in _KINDS:
        lines.append(pick(_KINDS[kind], language) + (" " + pick(_FAILED, language) if params.get("failed") else ""))
    if params.get("text"):
        lines.append(params["text"])
    reply_label = pick(("ตอบกลับผู้แจ้ง", "Reply"), language)
    open_label = pick(("เปิดเรื่อง", "Open"), language)
    return {
        "type": "text",
        "text": "\n".join(lines)[:5000],
        "quickReply": {"items": [
            {"type": "action", "action": {
                "type": "postback", "label": reply_label,
                "data": Postback(action="officer", code="REPLY", case_no=case_no).encode(),
                "inputOption": "openKeyboard", "fillInText": f"{pick(REPLY_WORDS, language)} {case_no}: ",
            }},
            {"type": "action", "action": {
                "type": "postback", "label": open_label,
                "data": Postback(action="officer", code="OPEN", case_no=case_no).encode(),
            }},
        ]},
    }
