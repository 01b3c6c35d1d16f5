"""What the bot says to multidisciplinary team members: a hand-off to accept (new, reminded,
escalated), "you are the case worker", follow-up reminders, and the answers to the alert's accept
button. Thai first.

Each card has a button that opens the hand-off in the back office, where the team works; the alert
also has one that accepts it, the member who taps becoming its case worker.
LINE chats travel (forwarded, screenshotted): no phone number and no reporter's name goes here,
only what tells a team member which hand-off needs them and by when.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from domain.bilingual import pick
from domain.dates import format_date_time
from domain.handoff import ApprovalSubject, CareOutcome, FollowUpKind, HandoffStatus, TeamActionKind
from domain.masking import THAI_COUNTRY_CODE, mask_phone
from domain.models import BotMessage, Language, Prompt
from domain.postbacks import APPROVE_TAP, Postback
from domain.risk import RiskLevel
from rendering.office_links import signed_in_link
from rendering.team_labels import CARE_OUTCOME_LABELS, FOLLOW_UP_KIND_LABELS, RISK_LEVEL_LABELS

# What the accept button answers, in a few words: the member acts on it, or goes to the back office.
_TEXTS: dict[Prompt, tuple[str, str]] = {
    Prompt.HANDOFF_ACCEPTED_BY_TAP: (
        "รับเรื่อง {case_no} แล้ว ท่านเป็นผู้ดูแลเรื่องนี้\nวางแผนการติดตามในระบบหลังบ้าน: {link}",
        "You accepted {case_no} and are its case worker.\nPlan the follow-ups in the back office: {link}",
    ),
    Prompt.HANDOFF_TAP_REFUSED: ("{case_no}: รับเรื่องไม่ได้ — {reason}", "{case_no}: not accepted — {reason}"),
    Prompt.HANDOFF_NEEDS_BACK_OFFICE: (
        "{case_no}: ส่วนกลางรับเรื่องโดยเลือกผู้ดูแลในทีมของจังหวัด กรุณาเลือกในระบบหลังบ้าน: {link}",
        "{case_no}: the national desk accepts by naming a case worker of the province's team. "
        "Choose one in the back office: {link}",
    ),
    Prompt.NOT_A_TEAM_MEMBER: (
        "บัญชีนี้ไม่ได้อยู่ในทีมสหวิชาชีพ",
        "This account is not on a multidisciplinary team.",
    ),
    Prompt.APPROVED_BY_TAP: ("{case_no}: อนุมัติ{what}แล้ว\nดูในระบบหลังบ้าน: {link}",
                             "{case_no}: you approved the {what}.\nSee it in the back office: {link}"),
    Prompt.APPROVAL_TAP_REFUSED: ("{case_no}: อนุมัติไม่ได้ — {reason}", "{case_no}: not approved — {reason}"),
}
# What a supervisor approves, in a few words (domain.handoff.ApprovalSubject).
APPROVAL_SUBJECT_WORDS: dict[ApprovalSubject, tuple[str, str]] = {
    ApprovalSubject.CLOSURE: ("การปิดการดูแล", "closing of the care"),
    ApprovalSubject.HIGH_RISK_PLAN: ("แผนการดูแลกรณีความเสี่ยงสูง", "high-risk care plan"),
}
_TAKEN: dict[HandoffStatus, tuple[str, str]] = {
    HandoffStatus.IN_CARE: ("{case_no}: ทีมรับเรื่องนี้แล้ว\nดูในระบบหลังบ้าน: {link}",
                            "{case_no}: the team has already accepted this hand-off.\n"
                            "See it in the back office: {link}"),
    HandoffStatus.REJECTED: ("{case_no}: ทีมส่งเรื่องนี้คืนตำรวจแล้ว",
                             "{case_no}: the team has handed this case back to the police."),
    HandoffStatus.CLOSED: ("{case_no}: การดูแลเรื่องนี้ปิดแล้ว", "{case_no}: the care of this hand-off has closed."),
}
TEAM_PROMPTS = frozenset({Prompt.HANDOFF_ALERT, Prompt.HANDOFF_ASSIGNED, Prompt.FOLLOW_UP_REMINDER,
                          Prompt.HANDOFF_TAKEN, Prompt.APPROVAL_REQUESTED, Prompt.APPROVAL_ANSWERED,
                          Prompt.TRANSFER_ALERT, Prompt.TRANSFER_ANSWERED, *_TEXTS})

_TITLE_COLOUR = "#1f4e79"
_URGENT_COLOUR = "#b00020"
# A Thai phone number as people type it into a note (0812345678, 081-234-5678, +66 2 123 4567,
# also in Thai digits), not part of a longer code such as a case number.
_PHONE_IN_TEXT = re.compile(r"(?<![\w+-])(?:\+66|[0๐])[ -]?\d(?:[ -]?\d){7,8}(?![\w-])")


def render_for_team(message: BotMessage, language: Language, public_url: str) -> dict[str, Any]:
    """One LINE message for a team member; `public_url` is where the back office is reached."""
    params = dict(message.params)
    # Through LINE Login: the member lands on the hand-off page signed in.
    link = signed_in_link(public_url, params["path"]) if "path" in params else ""
    if message.prompt == Prompt.HANDOFF_ALERT:
        return _handoff_alert(params, language, link)
    if message.prompt == Prompt.HANDOFF_ASSIGNED:
        return _handoff_assigned(params, language, link)
    if message.prompt == Prompt.FOLLOW_UP_REMINDER:
        return _follow_up_reminder(params, language, link)
    if message.prompt == Prompt.APPROVAL_REQUESTED:
        return _approval_requested(params, language, link)
    if message.prompt == Prompt.APPROVAL_ANSWERED:
        return _approval_answered(params, language, link)
    if message.prompt == Prompt.TRANSFER_ALERT:
        return _transfer_alert(params, language, link)
    if message.prompt == Prompt.TRANSFER_ANSWERED:
        return _transfer_answered(params, language, link)
    if "subject" in params:
        params["what"] = pick(APPROVAL_SUBJECT_WORDS[ApprovalSubject(params["subject"])], language)
    if message.prompt == Prompt.HANDOFF_TAKEN:
        texts = _TAKEN[HandoffStatus(params["status"])]
    elif message.prompt in _TEXTS:
        texts = _TEXTS[message.prompt]
    else:
        raise ValueError(f"{message.prompt} is not a team member's message")
    if message.prompt in (Prompt.HANDOFF_TAP_REFUSED, Prompt.APPROVAL_TAP_REFUSED):
        params["reason"] = params.get("reason_en" if language == Language.ENGLISH else "reason_th", "")
    return {"type": "text", "text": pick(texts, language).format(**params, link=link)}


def _handoff_alert(params: dict[str, Any], language: Language, link: str) -> dict[str, Any]:
    english = language == Language.ENGLISH
    level = int(params.get("level", 0))
    if level:
        title = f"Time to accept is up (level {level})" if english else f"ครบเวลารับเรื่องแล้ว (ขั้นที่ {level})"
    elif params.get("reminder"):
        title = "Reminder: not accepted yet" if english else "เตือน: ยังไม่มีผู้รับเรื่อง"
    else:
        title = "New hand-off from the police" if english else "เรื่องส่งต่อจากตำรวจ"
    incident = _incident(params, english)
    accept_by = format_date_time(datetime.fromisoformat(params["accept_due_at"]), language)
    rows = [
        _heading(incident),
        _row("Place" if english else "สถานที่", _place(params, english)),
        _row("Forwarded" if english else "ส่งต่อเมื่อ",
             format_date_time(datetime.fromisoformat(params["forwarded_at"]), language)),
    ]
    if note := (params.get("forward_note") or "").strip():
        rows.append(_row("Police note" if english else "บันทึกตำรวจ", without_phone_numbers(note)))
    rows.append(_emphasis(f"Accept by {accept_by}" if english else f"รับเรื่องภายใน {accept_by}", urgent=level > 0))
    buttons = [_accept_button(params["handoff_id"], params["case_no"], english),
               _open_button(link, english, style="secondary")]
    return _card(title, params["case_no"], rows, buttons, urgent=level > 0,
                 alt_text=f"{title}: {params['case_no']} {incident}")


def _handoff_assigned(params: dict[str, Any], language: Language, link: str) -> dict[str, Any]:
    english = language == Language.ENGLISH
    title = "You are the case worker" if english else "ท่านเป็นผู้ดูแลเรื่องนี้"
    incident = _incident(params, english)
    rows = [_heading(incident), _row("Place" if english else "สถานที่", _place(params, english))]
    return _card(title, params["case_no"], rows, [_open_button(link, english)], urgent=False,
                 alt_text=f"{title}: {params['case_no']}")


def _follow_up_reminder(params: dict[str, Any], language: Language, link: str) -> dict[str, Any]:
    english = language == Language.ENGLISH
    number, overdue = params["number"], bool(params.get("overdue"))
    if params.get("agency_th"):  # a referral: the agency's answer is awaited
        agency = params["agency_en" if english else "agency_th"]
        if overdue:
            title = f"No answer yet from {agency}" if english else f"ยังไม่ได้คำตอบจาก{agency}"
        else:
            title = f"Answer due soon from {agency}" if english else f"ใกล้ถึงกำหนดคำตอบจาก{agency}"
    elif params["kind"] == FollowUpKind.RISK_REVIEW.value:
        if overdue:
            title = "The risk assessment is overdue" if english else "เลยกำหนดประเมินความเสี่ยง"
        else:
            title = "The risk assessment is due soon" if english else "ใกล้ถึงกำหนดประเมินความเสี่ยง"
    elif overdue:
        title = f"Follow-up {number} is overdue" if english else f"เลยกำหนดติดตาม ครั้งที่ {number}"
    else:
        title = f"Follow-up {number} is due soon" if english else f"ใกล้ถึงกำหนดติดตาม ครั้งที่ {number}"
    due = format_date_time(datetime.fromisoformat(params["due_at"]), language)
    rows = [
        _heading(pick(FOLLOW_UP_KIND_LABELS[FollowUpKind(params["kind"])], language)),
        _emphasis(f"Due {due}" if english else f"กำหนด {due}", urgent=overdue),
    ]
    return _card(title, params["case_no"], rows, [_open_button(link, english)], urgent=overdue,
                 alt_text=f"{title}: {params['case_no']}")


def _approval_requested(params: dict[str, Any], language: Language, link: str) -> dict[str, Any]:
    """To the office head: what waits for them, with a button that approves it; sending it back needs a
    reason, so that is done in the back office."""
    english = language == Language.ENGLISH
    subject = ApprovalSubject(params["subject"])
    what = pick(APPROVAL_SUBJECT_WORDS[subject], language)
    title = f"Please approve the {what}" if english else f"ขออนุมัติ{what}"
    rows = [_heading(_incident(params, english)), _row("Place" if english else "สถานที่", _place(params, english))]
    if params.get("risk_level"):
        rows.append(_emphasis(pick(RISK_LEVEL_LABELS[RiskLevel(params["risk_level"])], language),
                              urgent=params["risk_level"] == RiskLevel.HIGH.value))
    if params.get("outcome"):
        rows.append(_row("Outcome" if english else "ผลการดูแล",
                         pick(CARE_OUTCOME_LABELS[CareOutcome(params["outcome"])], language)))
    label = "Approve" if english else "อนุมัติ"
    approve = {"type": "button", "style": "primary", "height": "sm", "action": {
        "type": "postback", "label": label, "displayText": f"{label} {params['case_no']}",
        "data": Postback(action="team", code=f"{APPROVE_TAP}{subject.value}", handoff_id=params["handoff_id"]).encode(),
    }}
    return _card(title, params["case_no"], rows, [approve, _open_button(link, english, style="secondary")],
                 urgent=subject == ApprovalSubject.HIGH_RISK_PLAN, alt_text=f"{title}: {params['case_no']}")


def _approval_answered(params: dict[str, Any], language: Language, link: str) -> dict[str, Any]:
    """To whoever asked: approved, or sent back with the supervisor's reason."""
    english = language == Language.ENGLISH
    what = pick(APPROVAL_SUBJECT_WORDS[ApprovalSubject(params["subject"])], language)
    approved = bool(params.get("approved"))
    if approved:
        title = f"The {what} was approved" if english else f"หัวหน้าอนุมัติ{what}แล้ว"
    else:
        title = f"The {what} was sent back" if english else f"หัวหน้าส่ง{what}กลับมาแก้ไข"
    rows = [_heading(_incident(params, english))]
    if not approved:
        rows.append(_row("Reason" if english else "เหตุผล", without_phone_numbers(params.get("reason") or "-")))
    return _card(title, params["case_no"], rows, [_open_button(link, english)], urgent=not approved,
                 alt_text=f"{title}: {params['case_no']}")


def _transfer_alert(params: dict[str, Any], language: Language, link: str) -> dict[str, Any]:
    """To the receiving province's team: a care another province's team offers it (the person moved),
    to accept in the back office by the same time as a new hand-off."""
    english = language == Language.ENGLISH
    level = int(params.get("level", 0))
    if level:
        title = f"Transfer not accepted in time (level {level})" if english else f"ครบเวลารับโอนแล้ว (ขั้นที่ {level})"
    elif params.get("reminder"):
        title = "Reminder: a transfer to accept" if english else "เตือน: ยังไม่มีผู้รับโอนการดูแล"
    else:
        title = "A care transferred from another province" if english else "ขอโอนการดูแลจากจังหวัดอื่น"
    accept_by = format_date_time(datetime.fromisoformat(params["accept_due_at"]), language)
    rows = [_heading(_incident(params, english))]
    if note := (params.get("transfer_note") or "").strip():
        rows.append(_row("Why" if english else "เหตุผล", without_phone_numbers(note)))
    rows.append(_emphasis(f"Accept by {accept_by}" if english else f"รับโอนภายใน {accept_by}", urgent=level > 0))
    return _card(title, params["case_no"], rows, [_open_button(link, english)], urgent=level > 0,
                 alt_text=f"{title}: {params['case_no']}")


def _transfer_answered(params: dict[str, Any], language: Language, link: str) -> dict[str, Any]:
    english = language == Language.ENGLISH
    accepted = bool(params.get("accepted"))
    if accepted:
        title = "The other province's team took the care" if english else "ทีมจังหวัดปลายทางรับโอนการดูแลแล้ว"
    else:
        title = "The other province's team declined the transfer" if english else "ทีมจังหวัดปลายทางไม่รับโอน"
    rows = [_heading(_incident(params, english))]
    if not accepted:
        rows.append(_row("Reason" if english else "เหตุผล", without_phone_numbers(params.get("reason") or "-")))
    return _card(title, params["case_no"], rows, [_open_button(link, english)], urgent=not accepted,
                 alt_text=f"{title}: {params['case_no']}")


def without_phone_numbers(text: str) -> str:
    """A free-text note with every Thai phone number in it masked to its last four digits."""
    return _PHONE_IN_TEXT.sub(lambda found: _masked(found.group()), text)


def _masked(typed: str) -> str:
    digits = "".join(character for character in typed if character.isdigit())
    national = digits[len(THAI_COUNTRY_CODE):] if typed.startswith("+") else digits[1:]
    return mask_phone(f"+{THAI_COUNTRY_CODE}{national}") or ""


def _incident(params: dict[str, Any], english: bool) -> str:
    return params.get("incident_en" if english else "incident_th") or ("Type not given" if english else "ไม่ระบุประเภท")


def _place(params: dict[str, Any], english: bool) -> str:
    return params.get("place_en" if english else "place_th") or "-"


def _open_button(link: str, english: bool, style: str = "primary") -> dict[str, Any]:
    return {"type": "button", "style": style, "height": "sm", "action": {
        "type": "uri", "label": "Open in the back office" if english else "เปิดในระบบหลังบ้าน", "uri": link,
    }}


def _accept_button(handoff_id: str, case_no: str, english: bool) -> dict[str, Any]:
    label = "Accept" if english else "รับเรื่องนี้"
    return {"type": "button", "style": "primary", "height": "sm", "action": {
        "type": "postback", "label": label, "displayText": f"{label} {case_no}",
        "data": Postback(action="team", code=TeamActionKind.ACCEPT.value, handoff_id=handoff_id).encode(),
    }}


def _card(title: str, case_no: str, rows: list[dict[str, Any]], buttons: list[dict[str, Any]], urgent: bool,
          alt_text: str) -> dict[str, Any]:
    return {
        "type": "flex",
        "altText": alt_text,
        "contents": {
            "type": "bubble",
            "header": {"type": "box", "layout": "vertical", "contents": [
                {"type": "text", "text": title, "weight": "bold", "wrap": True,
                 "color": _URGENT_COLOUR if urgent else _TITLE_COLOUR},
                {"type": "text", "text": case_no, "size": "sm", "color": "#555555"},
            ]},
            "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": rows},
            "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": buttons},
        },
    }


def _heading(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text, "weight": "bold", "size": "lg", "wrap": True}


def _row(label: str, value: str) -> dict[str, Any]:
    return {"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
        {"type": "text", "text": label, "size": "sm", "color": "#888888", "flex": 2},
        {"type": "text", "text": value, "size": "sm", "wrap": True, "flex": 5},
    ]}


def _emphasis(text: str, urgent: bool) -> dict[str, Any]:
    return {"type": "text", "text": text, "size": "sm", "weight": "bold", "wrap": True,
            "color": _URGENT_COLOUR if urgent else _TITLE_COLOUR}
