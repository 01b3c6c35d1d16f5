"""What the bot says to officers: the case alert (a Flex card with Acknowledge / Open, a map link
and tap-to-call), confirmations, refusals with their reason, registration. Thai first.

Unlike the reporter's messages these are read by someone on duty: complete, not discreet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.bilingual import pick
from domain.dates import format_date_time
from domain.models import ActionKind, BotMessage, CaseStatus, Language, Prompt
from domain.postbacks import Postback
from rendering.office_links import case_page_path, signed_in_link

STATUS_LABELS: dict[CaseStatus, tuple[str, str]] = {
    CaseStatus.NEW: ("แจ้งเหตุใหม่", "New report"),
    CaseStatus.ACKNOWLEDGED: ("รับทราบ", "Acknowledged"),
    CaseStatus.CLOSED: ("ปิดเหตุ", "Closed"),
    CaseStatus.NOT_FOUND: ("ไม่พบเหตุ", "No incident found"),
    CaseStatus.PRANK: ("ทักเล่น", "Prank"),
    # Forwarded and waiting for the team's answer; once the team accepts, the case is handed over.
    CaseStatus.FORWARDED: ("ส่งต่อทีมสหวิชาชีพ รอทีมรับเรื่อง", "Forwarded, awaiting the team's answer"),
    CaseStatus.HANDED_OVER: ("ทีมสหวิชาชีพรับดูแลแล้ว", "Handed over to the team"),
    CaseStatus.RETURNED: ("ทีมสหวิชาชีพส่งคืน", "Returned by the multidisciplinary team"),
}
ACTION_LABELS: dict[ActionKind, tuple[str, str]] = {
    ActionKind.ACKNOWLEDGE: ("รับทราบ", "Acknowledge"),
    ActionKind.CLOSE: ("ปิดเหตุ", "Close"),
    ActionKind.NOT_FOUND: ("ไม่พบเหตุ", "Not found"),
    ActionKind.PRANK: ("ทักเล่น", "Prank"),
    ActionKind.FORWARD: ("ส่งต่อทีมสหวิชาชีพ", "Forward to the team"),
    ActionKind.ADD_NOTE: ("บันทึกเพิ่มเติม", "Add note"),
    ActionKind.REASSIGN: ("โอนสถานี", "Reassign station"),
    ActionKind.MESSAGE_REPORTER: ("ส่งข้อความถึงผู้แจ้ง", "Message the reporter"),
}
REGISTRATION_FAILURES: dict[str, tuple[str, str]] = {
    "unknown_code": ("ไม่พบรหัสนี้ ตรวจสอบรหัสกับผู้ดูแลระบบ", "This code is unknown; check it with your administrator."),
    "expired": ("รหัสนี้หมดอายุแล้ว ขอรหัสใหม่จากผู้ดูแลระบบ", "This code has expired; ask your administrator for a new one."),
    "already_used": ("รหัสนี้ถูกใช้แล้ว", "This code has already been used."),
    "line_account_taken": ("บัญชี LINE นี้ผูกกับเจ้าหน้าที่หรือสมาชิกทีมคนอื่นแล้ว",
                           "This LINE account is linked to another officer or team member."),
    "throttled": ("ลองรหัสผิดหลายครั้ง กรุณารอ {minutes} นาทีแล้วลองใหม่",
                  "Too many wrong codes; wait {minutes} minute(s) and try again."),
}

_TEXTS: dict[Prompt, tuple[str, str]] = {
    Prompt.OFFICER_ACTION_DONE: (
        "{case_no}: {action} แล้ว (สถานะ: {status})",
        "{case_no}: {action} done (status: {status}).",
    ),
    Prompt.OFFICER_ACTION_REJECTED: ("{case_no}: ทำรายการไม่ได้ — {reason}", "{case_no}: not done — {reason}"),
    Prompt.OFFICER_REGISTERED: (
        "ลงทะเบียนแล้ว: {name}\nเรื่องที่ท่านต้องดูแลจะแจ้งมาที่แชตนี้",
        "Registered: {name}\nCases for you to handle will arrive in this chat.",
    ),
    Prompt.OFFICER_REGISTRATION_FAILED: ("ลงทะเบียนไม่สำเร็จ: {reason}", "Registration failed: {reason}"),
    Prompt.NOT_AN_OFFICER: (
        "บัญชีนี้ยังไม่ได้ลงทะเบียนเป็นเจ้าหน้าที่ พิมพ์ “ลงทะเบียน” ตามด้วยรหัสที่ได้รับ",
        "This account is not registered as an officer. Type “register” followed by your code.",
    ),
    Prompt.CASE_DETAIL: (
        "{case_no} · {status}\n{incident}\nแจ้งเมื่อ {reported_at}\n{place}\nโทร {phone}\nข้อความจากผู้แจ้ง {messages} รายการ",
        "{case_no} · {status}\n{incident}\nReported {reported_at}\n{place}\nPhone {phone}\n"
        "{messages} message(s) from the reporter",
    ),
    Prompt.CASE_RETURNED: (
        "{case_no}: ทีมสหวิชาชีพส่งเรื่องคืน เรื่องกลับมาอยู่ที่สถานีอีกครั้ง\n{incident}\n{place}\nเหตุผล: {reason}",
        "{case_no}: the multidisciplinary team handed the case back; it is open again at the station.\n"
        "{incident}\n{place}\nReason: {reason}",
    ),
}

# What the reporter sent after their case ended, said to its officers.
_FOLLOW_UP_HEADING = ("{case_no}: ผู้แจ้งส่งข้อความมาหลังเรื่องจบแล้ว ({status})",
                      "{case_no}: the reporter wrote after the case ended ({status})")
_FOLLOW_UP_KINDS: dict[str, tuple[str, str]] = {
    "image": ("ส่งรูปภาพมา (ดูได้ในหน้าเรื่อง)", "sent a photo (see the case page)"),
    "video": ("ส่งวิดีโอมา (ดูได้ในหน้าเรื่อง)", "sent a video (see the case page)"),
    "audio": ("ส่งข้อความเสียงมา (ฟังได้ในหน้าเรื่อง)", "sent a voice message (on the case page)"),
    "file": ("ส่งไฟล์มา (ดูได้ในหน้าเรื่อง)", "sent a file (see the case page)"),
    "location": ("ส่งตำแหน่งมา: {map}", "shared a location: {map}"),
}
_CALL_BACK = ("โทรกลับผู้แจ้ง: {phone}", "Call the reporter back: {phone}")

OFFICER_PROMPTS = frozenset({Prompt.CASE_ALERT, Prompt.CASE_FOLLOW_UP, *_TEXTS})
# What the reporter wrote beside the answers, on the alert card: enough to act on; all on the case page.
LONGEST_NOTES_ON_ALERT = 1000



def render_for_officer(message: BotMessage, language: Language, public_url: str | None = None) -> dict[str, Any]:
    """One LINE message for an officer; `public_url` (where the back office is reached) makes the
    alert's Open button a link that signs the officer in with LINE and opens the case page."""
    params = dict(message.params)
    if message.prompt == Prompt.CASE_ALERT:
        return _alert(params, language, public_url)
    if "status" in params:
        params["status"] = pick(STATUS_LABELS[CaseStatus(params["status"])], language)
    if "action" in params:
        params["action"] = pick(ACTION_LABELS[ActionKind(params["action"])], language)
    if message.prompt == Prompt.OFFICER_ACTION_REJECTED:
        params["reason"] = params.get("reason_en" if language == Language.ENGLISH else "reason_th", "")
    if message.prompt == Prompt.OFFICER_REGISTRATION_FAILED:
        failure = REGISTRATION_FAILURES.get(params.get("reason", ""), REGISTRATION_FAILURES["unknown_code"])
        params["reason"] = pick(failure, language).format(minutes=params.get("minutes") or 1)
    if message.prompt == Prompt.CASE_DETAIL:
        params["reported_at"] = format_date_time(datetime.fromisoformat(params["reported_at"]), language)
        params["phone"] = params.get("phone") or "-"
    if message.prompt in (Prompt.CASE_DETAIL, Prompt.CASE_RETURNED):
        params["incident"] = params.get("incident_en" if language == Language.ENGLISH else "incident_th") or "-"
        params["place"] = params.get("place_en" if language == Language.ENGLISH else "place_th") or "-"
    if message.prompt == Prompt.CASE_RETURNED:
        params["reason"] = params.get("reason") or "-"
    if message.prompt == Prompt.CASE_FOLLOW_UP:
        return {"type": "text", "text": _follow_up(params, language)}
    return {"type": "text", "text": pick(_TEXTS[message.prompt], language).format(**params)}


def _alert(params: dict[str, Any], language: Language, public_url: str | None) -> dict[str, Any]:
    english = language == Language.ENGLISH
    case_no = params["case_no"]
    level = int(params.get("level", 0))
    if level == 0:
        title = "New report" if english else "แจ้งเหตุใหม่"
    else:
        title = f"No one has acknowledged yet (level {level})" if english else f"ยังไม่มีผู้รับเรื่อง (ขั้นที่ {level})"
    incident = (params.get("incident_en" if english else "incident_th")
                or ("Type not given" if english else "ไม่ระบุประเภท"))
    reported_at = format_date_time(datetime.fromisoformat(params["reported_at"]), language)
    rows: list[dict[str, Any]] = [
        {"type": "text", "text": incident, "weight": "bold", "size": "lg", "wrap": True},
        _row("Time" if english else "เวลา", reported_at),
        _row("Place" if english else "สถานที่",
             _place(params.get("address"), params.get("place_en" if english else "place_th"))),
        _row("Phone" if english else "โทร",
             params.get("phone_national") or ("not given" if english else "ไม่ได้ให้ไว้")),
    ]
    if notes := [note for note in params.get("notes") or [] if note]:
        rows.append(_row("Reporter wrote" if english else "ผู้แจ้งพิมพ์ว่า", _shortened("\n".join(notes), english)))
    if not params.get("complete", True):
        rows.append(_note("The reporter went quiet before finishing." if english else "ผู้แจ้งเงียบไปก่อนให้ข้อมูลครบ"))
    if params.get("review_flag"):
        rows.append(_note("This reporter had earlier reports marked as prank: check, do not ignore."
                          if english else "ผู้แจ้งเคยมีเรื่องที่ถูกระบุว่าทักเล่น: โปรดตรวจสอบ อย่าเพิกเฉย"))
    acknowledge = Postback(action="officer", code=ActionKind.ACKNOWLEDGE.value, case_no=case_no)
    buttons = [
        _button("primary", {"type": "postback", "label": "Acknowledge" if english else "รับทราบ",
                            "data": acknowledge.encode(),
                            "displayText": f"{'Acknowledge' if english else 'รับทราบ'} {case_no}"}),
        _button("secondary", _open_action(case_no, english, public_url)),
        _button("secondary", {"type": "uri", "label": "Map" if english else "แผนที่",
                              "uri": _map_link(params["latitude"], params["longitude"])}),
    ]
    if params.get("phone_e164"):
        buttons.append(_button("secondary", {"type": "uri", "label": "Call" if english else "โทรหาผู้แจ้ง",
                                             "uri": f"tel:{params['phone_e164']}"}))
    return {
        "type": "flex",
        "altText": f"{title}: {case_no} {incident}",
        "contents": {
            "type": "bubble",
            "header": {"type": "box", "layout": "vertical", "contents": [
                {"type": "text", "text": title, "weight": "bold", "color": "#b00020" if level else "#1f4e79"},
                {"type": "text", "text": case_no, "size": "sm", "color": "#555555"},
            ]},
            "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": rows},
            "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": buttons},
        },
    }


def _open_action(case_no: str, english: bool, public_url: str | None) -> dict[str, Any]:
    """The case page, signed in with LINE in one tap. Without a public address, the text summary
    (the "OPEN" postback, which also answers taps on cards sent before the button became a link)."""
    label = "Open" if english else "เปิดเรื่อง"
    if public_url:
        return {"type": "uri", "label": label, "uri": signed_in_link(public_url, case_page_path(case_no))}
    return {"type": "postback", "label": label, "displayText": f"{label} {case_no}",
            "data": Postback(action="officer", code="OPEN", case_no=case_no).encode()}


def _follow_up(params: dict[str, Any], language: Language) -> str:
    """The case number and what came: the words, or what kind of message (on the case page), or
    where on a map; and the number to call the reporter back on, when there is one."""
    lines = [pick(_FOLLOW_UP_HEADING, language).format(**params)]
    kind = params.get("message_type")
    if kind in _FOLLOW_UP_KINDS:
        where = _map_link(params.get("latitude"), params.get("longitude"))
        lines.append(pick(_FOLLOW_UP_KINDS[kind], language).format(map=where))
    if params.get("text"):
        lines.append(_shortened(params["text"], language == Language.ENGLISH))
    if params.get("phone"):
        lines.append(pick(_CALL_BACK, language).format(phone=params["phone"]))
    return "\n".join(lines)


def _map_link(latitude: float | None, longitude: float | None) -> str:
    return f"https://www.google.com/maps/search/?api=1&query={latitude},{longitude}"


def _place(address: str | None, area: str | None) -> str:
    """LINE's address, and the district and province we derived unless the address names them."""
    district = (area or "").split(",")[0].strip()
    if address and (not district or district in address):
        return address
    return "\n".join(part for part in (address, area) if part) or "-"


def _shortened(text: str, english: bool) -> str:
    if len(text) <= LONGEST_NOTES_ON_ALERT:
        return text
    more = "… (more on the case page)" if english else "… (อ่านต่อในหน้าเรื่อง)"
    return text[:LONGEST_NOTES_ON_ALERT] + more


def _row(label: str, value: str) -> dict[str, Any]:
    return {"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
        {"type": "text", "text": label, "size": "sm", "color": "#888888", "flex": 2},
        {"type": "text", "text": value, "size": "sm", "wrap": True, "flex": 5},
    ]}


def _note(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text, "size": "sm", "color": "#b00020", "wrap": True}


def _button(style: str, action: dict[str, Any]) -> dict[str, Any]:
    return {"type": "button", "style": style, "height": "sm", "action": action}
