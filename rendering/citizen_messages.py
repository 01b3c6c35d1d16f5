"""What the bot says, in Thai and English, as LINE message objects.

The reporter may be beside the person they fear, reading a phone that person can see: every text
is short, calm and neutral, and nothing repeats the incident back to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.bilingual import pick
from domain.handoff import Consent
from domain.models import BotMessage, IncidentType, Language, Prompt
from domain.postbacks import Postback
from rendering.officer_messages import OFFICER_PROMPTS, render_for_officer
from rendering.relay_messages import RELAY_PROMPTS, render_relay
from rendering.team_messages import TEAM_PROMPTS, render_for_team

EMERGENCY_LINE = "191"

_TEXTS: dict[Prompt, tuple[str, str]] = {
    Prompt.GREETING: (
        "ESS Help Me แจ้งเหตุฉุกเฉินทางสังคมได้โดยไม่ต้องใช้เสียง\n"
        "1. เลือกเหตุที่เกิด\n2. ปักหมุดจุดที่เกิดเหตุ\n3. พิมพ์เบอร์โทรของคุณ\n"
        "กด “แจ้งเหตุ” เพื่อเริ่ม",
        "ESS Help Me: report a social emergency without speaking.\n"
        "1. Choose what is happening\n2. Pin where it is happening\n3. Type your phone number\n"
        "Tap “Report” to start.",
    ),
    Prompt.HELP: (
        "กด “แจ้งเหตุ” เพื่อแจ้งเหตุ หากอันตรายเฉพาะหน้าและโทรได้ โทร 191",
        "Tap “Report” to report an incident. If you are in immediate danger and can call, call 191.",
    ),
    Prompt.ASK_INCIDENT_TYPE: ("เกิดเหตุอะไร เลือกหนึ่งข้อ", "What is happening? Choose one."),
    Prompt.ASK_LOCATION: (
        "ปักหมุดจุดที่เกิดเหตุ (เฉพาะจุดที่กำลังเกิดเหตุเท่านั้น)",
        "Pin the place where it is happening (only the place of the incident).",
    ),
    Prompt.CONFIRM_LOCATION: ("ตำแหน่งที่ได้รับ:\n{place}\nถูกต้องไหม", "Location received:\n{place}\nIs this right?"),
    Prompt.LOCATION_OUTSIDE_THAILAND: (
        "ตำแหน่งนี้ดูเหมือนอยู่นอกประเทศไทย กรุณาปักหมุดจุดที่เกิดเหตุอีกครั้ง"
        " หากอยู่ในประเทศไทยและโทรได้ โทร 191",
        "This location seems to be outside Thailand. Please pin the place again."
        " If you are in Thailand and can call, call 191.",
    ),
    Prompt.ASK_PHONE: (
        "พิมพ์เบอร์โทรของคุณ (เบอร์ของผู้แจ้งเท่านั้น) เช่น 090-123-4567 หากไม่สะดวก กด “ไม่สะดวกให้เบอร์”",
        "Type your phone number (your own number only), e.g. 090-123-4567. If you cannot, tap “No number”.",
    ),
    Prompt.PHONE_INVALID: (
        "{kept}ไม่พบเบอร์ที่โทรได้ กรุณาพิมพ์เบอร์มือถือ 10 หลัก เช่น 0901234567 เบอร์บ้าน เช่น 021234567"
        " หรือเบอร์ต่างประเทศที่ขึ้นต้นด้วย + หากไม่สะดวก กด “ไม่สะดวกให้เบอร์”",
        "{kept}No number to call back found. Type a 10-digit mobile number such as 0901234567, "
        "a landline such as 021234567, or a number from abroad starting with +. If you cannot, tap “No number”.",
    ),
    # The case number, once per report, ends with the tip on deleting the chat (_DELETE_CHAT_TIP).
    Prompt.CASE_OPENED: (
        "รับแจ้งแล้ว เลขที่ {case_no}\nเจ้าหน้าที่กำลังดำเนินการ ส่งข้อความ รูป หรือตำแหน่งเพิ่มเติมได้ในแชตนี้",
        "Received. Case number {case_no}.\nOfficers are on it. You can send more messages, photos or "
        "locations in this chat.",
    ),
    Prompt.CASE_OPENED_INCOMPLETE: (
        "ส่งเรื่องให้เจ้าหน้าที่แล้ว เลขที่ {case_no}\nหากทำได้ พิมพ์เบอร์โทรของคุณในแชตนี้",
        "Your report has been sent to officers. Case number {case_no}.\nIf you can, type your phone "
        "number in this chat.",
    ),
    # Said after a silence, with the buttons of the step: nothing of the report (its place, the
    # choices) is shown again, since someone else may be looking at the screen by then.
    Prompt.REMINDER: ("ยังทำต่อได้ในแชตนี้", "You can still go on in this chat."),
    Prompt.CANCELLED: ("ยกเลิกแล้ว", "Cancelled."),
    Prompt.EXPIRED: (
        "ยังไม่ได้ส่งเรื่อง หากต้องการแจ้ง กด “แจ้งเหตุ”",
        "Nothing was sent. To report, tap “Report”.",
    ),
    Prompt.OFF_SCRIPT: ("{kept}{hint}", "{kept}{hint}"),
    Prompt.ATTACHED_TO_CASE: ("ได้รับแล้ว (เลขที่ {case_no})", "Received (case {case_no})."),
    Prompt.LANGUAGE_CHANGED: ("ใช้ภาษาไทย", "Switched to English."),
    Prompt.FROM_OFFICER: ("ข้อความจากเจ้าหน้าที่ ({case_no}): {text}", "Message from the officer ({case_no}): {text}"),
    Prompt.REPORTER_ACKNOWLEDGED: ("เจ้าหน้าที่รับเรื่อง {case_no} แล้ว", "An officer has taken case {case_no}."),
    Prompt.REPORTER_CLOSED: (
        "เรื่อง {case_no} ปิดแล้ว หากมีเหตุอีก กด “แจ้งเหตุ”",
        "Case {case_no} is closed. If anything happens again, tap “Report”.",
    ),
    Prompt.REPORTER_NOT_FOUND: (
        "เจ้าหน้าที่ไม่พบเหตุตามตำแหน่งที่แจ้ง ({case_no}) หากยังต้องการความช่วยเหลือ กด “แจ้งเหตุ”",
        "Officers found no incident at the pinned place ({case_no}). If you still need help, tap “Report”.",
    ),
    # After the case ended: what the reporter sent went to it. Said as it is: reached, or only kept.
    Prompt.FOLLOW_UP_SENT: (
        "ส่งถึงเจ้าหน้าที่ของเรื่อง {case_no} แล้ว หากต้องการความช่วยเหลืออีกครั้ง กด “แจ้งเหตุ”",
        "Sent to the officers of case {case_no}. If you need help again, tap “Report”.",
    ),
    Prompt.FOLLOW_UP_KEPT: (
        "บันทึกไว้กับเรื่อง {case_no} แล้ว แต่ยังติดต่อเจ้าหน้าที่ไม่ได้ หากต้องการความช่วยเหลือ กด “แจ้งเหตุ”"
        " หากอันตรายเฉพาะหน้าและโทรได้ โทร 191",
        "Kept with case {case_no}, but no officer could be reached. If you need help, tap “Report”;"
        " if you are in immediate danger and can call, call 191.",
    ),
    # The hand-off to the social-welfare team: asked and answered in words that give nothing away.
    Prompt.CONSENT_QUESTION: (
        "เรื่อง {case_no}: เจ้าหน้าที่ด้านสังคมสามารถช่วยดูแลต่อได้ ยินยอมให้ติดต่อกลับหรือไม่",
        "Case {case_no}: a social-welfare officer can help further. May they contact you?",
    ),
    Prompt.REPORTER_IN_CARE: (
        "เจ้าหน้าที่ด้านสังคมรับดูแลเรื่อง {case_no} แล้ว และจะติดต่อกลับ",
        "A social-welfare officer has taken case {case_no} and will contact you.",
    ),
    # The case worker's words, relayed to a reporter who agreed to be contacted: the frame names nobody.
    Prompt.MESSAGE_FROM_CARE: (
        "เรื่อง {case_no}: ข้อความจากเจ้าหน้าที่ที่ดูแลท่าน\n{text}\n\nตอบกลับในแชตนี้ได้",
        "Case {case_no}: a message from the officer looking after you\n{text}\n\nYou can reply in this chat.",
    ),
    # The report could not be recorded (kept for an operator): no case number, so the phone at once.
    Prompt.CASE_NOT_RECORDED: (
        "ขออภัย ระบบยังบันทึกเรื่องไม่ได้ กรุณาโทร 191 ทันที ข้อมูลที่แจ้งถูกเก็บไว้ให้เจ้าหน้าที่แล้ว",
        "Sorry, your report could not be recorded yet. Please call 191 now. What you told us is kept for "
        "officers.",
    ),
    # After the social-welfare team accepted the case: said quietly, with nothing of the case in it.
    Prompt.PASSED_TO_TEAM: (
        "ส่งต่อให้เจ้าหน้าที่ด้านสังคมที่ดูแลเรื่อง {case_no} แล้ว",
        "Passed on to the social-welfare officer looking after case {case_no}.",
    ),
    Prompt.IN_TEAM_CARE: (
        "เรื่อง {case_no} อยู่ในความดูแลของเจ้าหน้าที่ด้านสังคมของจังหวัดแล้ว หากมีเหตุใหม่ กด “แจ้งเหตุ”"
        " หากอันตรายเฉพาะหน้าและโทรได้ โทร 191",
        "Case {case_no} is now looked after by the province's social-welfare officers. If something new "
        "happens, tap “Report”; if you are in immediate danger and can call, call 191.",
    ),
    # A team member's accept button on the alert of a hand-off that has ended.
    Prompt.HANDOFF_ENDED: ("เรื่องนี้ปิดการส่งต่อแล้ว", "This hand-off has ended."),
}
# The reminder at the first step: the choices stay in the message before (its buttons still work).
_REMINDER_CHOOSE_ABOVE = ("ยังทำต่อได้ เลือกจากปุ่มในข้อความก่อนหน้า", "You can go on: choose from the buttons in the "
                          "message before.")
# What the reporter's own chat bubble says when they tap a choice: never the choice itself.
_CHOSEN = ("เลือกแล้ว", "Chosen")
# Once per report, quietly (inside the message with the case number, no message of its own).
_DELETE_CHAT_TIP = (
    "\nหากกังวลว่าผู้อื่นจะเห็นแชตนี้ จดเลขที่เรื่องไว้แล้วลบแชตได้ เรื่องยังอยู่กับเจ้าหน้าที่",
    "\nIf you worry someone may see this chat, note the case number and delete the chat: the report "
    "stays with the officers.",
)
# The questions a reminder comes with, and which of them it stands in for (quiet_reminders).
_QUESTIONS = (Prompt.ASK_INCIDENT_TYPE, Prompt.ASK_LOCATION, Prompt.CONFIRM_LOCATION, Prompt.ASK_PHONE)
_CONSENT_THANKS: dict[Consent, tuple[str, str]] = {
    Consent.GIVEN: ("ขอบคุณ ได้รับคำตอบแล้ว ({case_no})", "Thank you, your answer is noted ({case_no})."),
    Consent.REFUSED: ("รับทราบ จะไม่มีการติดต่อกลับ ({case_no})", "Noted: no one will contact you ({case_no})."),
}

# What each step is waiting for, said when the reporter sends something else.
_STEP_HINTS: dict[str, tuple[str, str]] = {
    "incident_type": ("กรุณาเลือกเหตุจากปุ่ม", "Please choose from the buttons."),
    "location": ("กรุณาปักหมุดด้วยปุ่ม “ปักหมุด”", "Please use the “Pin location” button."),
    "confirm_location": ("กรุณากด “ถูกต้อง” หรือ “ปักหมุดใหม่”", "Please tap “Correct” or “Re-pin”."),
    "phone": ("กรุณาพิมพ์เบอร์โทรเป็นตัวเลข หรือกด “ไม่สะดวกให้เบอร์”",
              "Please type your phone number in digits, or tap “No number”."),
}
# Said before the hint when the reporter's words were kept for the officers.
_KEPT = ("ได้รับข้อความแล้ว เจ้าหน้าที่จะเห็นพร้อมเรื่องนี้\n", "Message received: officers will see it with the report.\n")

_LABELS: dict[str, tuple[str, str]] = {
    "report": ("แจ้งเหตุ", "Report"),
    "cancel": ("ยกเลิก", "Cancel"),
    "pin": ("ปักหมุด", "Pin location"),
    "repin": ("ปักหมุดใหม่", "Re-pin"),
    "correct": ("ถูกต้อง", "Correct"),
    "other_language": ("English", "ภาษาไทย"),
    "place_unknown": ("(ไม่ทราบชื่อสถานที่)", "(place name unknown)"),
    "consent_yes": ("ยินยอม", "Yes"),
    "consent_no": ("ไม่ยินยอม", "No"),
    "skip_phone": ("ไม่สะดวกให้เบอร์", "No number"),
    "repeat": ("แจ้งซ้ำ เหมือนครั้งก่อน", "Same as last time"),
    "repeat_chip": ("แจ้งซ้ำเหมือนเดิม", "Same as last time"),  # a quick reply's label holds 20 characters
}

def label(name: str, language: Language) -> str:
    return pick(_LABELS[name], language)


def step_hint(step: str, language: Language) -> str:
    return pick(_STEP_HINTS[step], language)


def _postback(label_text: str, postback: Postback, display_text: str | None = None) -> dict[str, Any]:
    action = {"type": "postback", "label": label_text[:20], "data": postback.encode()}
    if display_text:
        action["displayText"] = display_text
    return action


def _quick_reply(actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": [{"type": "action", "action": action} for action in actions[:13]]}


def _cancel_action(language: Language) -> dict[str, Any]:
    text = label("cancel", language)
    return _postback(text, Postback(action="cancel"), text)


def _language_action(language: Language) -> dict[str, Any]:
    text = label("other_language", language)
    return {"type": "message", "label": text, "text": text}


def _report_action(language: Language) -> dict[str, Any]:
    text = label("report", language)
    return _postback(text, Postback(action="report"), text)


def _pin_action(name: str, language: Language) -> dict[str, Any]:
    return {"type": "location", "label": label(name, language)}


def _quick_replies_for(prompt: Prompt, params: dict[str, Any], language: Language) -> list[dict[str, Any]]:
    if prompt in (Prompt.GREETING, Prompt.HELP, Prompt.CANCELLED, Prompt.EXPIRED, Prompt.LANGUAGE_CHANGED,
                  Prompt.REPORTER_CLOSED, Prompt.REPORTER_NOT_FOUND, Prompt.FOLLOW_UP_SENT, Prompt.FOLLOW_UP_KEPT,
                  Prompt.CASE_NOT_RECORDED, Prompt.IN_TEAM_CARE):
        return [_report_action(language), _language_action(language)]
    if prompt in (Prompt.ASK_LOCATION, Prompt.LOCATION_OUTSIDE_THAILAND):
        return [_pin_action("pin", language), _cancel_action(language)]
    if prompt == Prompt.CONFIRM_LOCATION:
        correct = label("correct", language)
        return [
            _postback(correct, Postback(action="confirm_location"), correct),
            _pin_action("repin", language),
            _cancel_action(language),
        ]
    if prompt in (Prompt.ASK_PHONE, Prompt.PHONE_INVALID):
        skip = label("skip_phone", language)
        return [_postback(skip, Postback(action="skip_phone"), skip), _cancel_action(language)]
    if prompt == Prompt.CONSENT_QUESTION:
        return [_consent_action(name, code, params["handoff_id"], language)
                for name, code in (("consent_yes", "YES"), ("consent_no", "NO"))]
    return []


def _consent_action(name: str, code: str, handoff_id: str, language: Language) -> dict[str, Any]:
    text = label(name, language)
    return _postback(text, Postback(action="consent", code=code, handoff_id=handoff_id), text)


def _incident_type_bubble(types: list[IncidentType], language: Language,
                          repeat_case_no: str | None = None) -> dict[str, Any]:
    """The choices; with `repeat_case_no`, first a button that reports the same as that case (its
    type, place and phone) in one tap. Nothing of that case is shown: someone may read over the
    reporter's shoulder."""
    question = pick(_TEXTS[Prompt.ASK_INCIDENT_TYPE], language)
    repeat = Postback(action="repeat", case_no=repeat_case_no) if repeat_case_no else None
    buttons = [
        {
            "type": "button",
            "style": "secondary",
            "height": "sm",
            "margin": "sm",
            "action": {
                "type": "postback",
                "label": incident.label(language)[:40],
                "data": Postback(action="type", code=incident.code).encode(),
                "displayText": pick(_CHOSEN, language),
            },
        }
        for incident in types
    ]
    if repeat is not None:
        buttons.insert(0, {"type": "button", "style": "primary", "height": "sm", "margin": "sm",
                           "action": _postback_labelled(label("repeat", language), repeat)})
    chips = [_postback(label("repeat_chip", language), repeat, label("repeat", language))] if repeat else []
    return {
        "type": "flex",
        "altText": question,
        "contents": {
            "type": "bubble",
            "body": {
                "type": "box",
                "layout": "vertical",
                "contents": [{"type": "text", "text": question, "weight": "bold", "wrap": True}, *buttons],
            },
        },
        # The same choices as chips by the keyboard; LINE cuts chip labels at 20 characters.
        "quickReply": _quick_reply(
            chips
            + [
                _postback(_chip_label(incident.label(language)), Postback(action="type", code=incident.code),
                          pick(_CHOSEN, language))
                for incident in types
            ]
            + [_cancel_action(language), _language_action(language)]
        ),
    }


def quiet_reminders(messages: list[BotMessage]) -> list[BotMessage]:
    """A reminder and the question it repeats become one quiet reminder with the question's
    buttons (its `question`): the place to confirm and the list of incidents are not shown again."""
    quiet: list[BotMessage] = []
    for message in messages:
        if quiet and quiet[-1].prompt == Prompt.REMINDER and "question" not in quiet[-1].params \
                and message.prompt in _QUESTIONS:
            quiet[-1] = BotMessage(prompt=Prompt.REMINDER, params={"question": message.prompt.value})
        else:
            quiet.append(message)
    return quiet


def _reminder(params: dict[str, Any], language: Language) -> dict[str, Any]:
    question = Prompt(params["question"]) if "question" in params else None
    if question == Prompt.ASK_INCIDENT_TYPE:
        return {"type": "text", "text": pick(_REMINDER_CHOOSE_ABOVE, language),
                "quickReply": _quick_reply([_cancel_action(language)])}
    rendered: dict[str, Any] = {"type": "text", "text": pick(_TEXTS[Prompt.REMINDER], language)}
    actions = _quick_replies_for(question, params, language) if question else []
    if actions:
        rendered["quickReply"] = _quick_reply(actions)
    return rendered


def _postback_labelled(label_text: str, postback: Postback) -> dict[str, Any]:
    """A Flex button's postback: its label may be longer than a quick reply's (40 characters)."""
    return {"type": "postback", "label": label_text[:40], "data": postback.encode(), "displayText": label_text}


def _chip_label(text: str) -> str:
    return text if len(text) <= 20 else text[:19] + "…"


def render(message: BotMessage, language: Language, *, public_url: str | None = None,
           attachment_url: Callable[[int], str] | None = None) -> dict[str, Any]:
    """One LINE message object (wire format) for a BotMessage. Team members' messages link to the
    back office and need `public_url`, the address it is reached at (with it, an officer's alert
    links to the case page too); a reporter's photo relayed to
    officers needs `attachment_url`, its signed link."""
    if message.prompt in RELAY_PROMPTS:
        return render_relay(message, language, attachment_url)
    if message.prompt in OFFICER_PROMPTS:
        return render_for_officer(message, language, public_url)
    if message.prompt in TEAM_PROMPTS:
        if public_url is None:
            raise ValueError("a team member's message links to the back office: public_url is needed")
        return render_for_team(message, language, public_url)
    params = dict(message.params)
    if message.prompt == Prompt.REMINDER:
        return _reminder(params, language)
    if message.prompt == Prompt.ASK_INCIDENT_TYPE:
        types = [IncidentType.model_validate(t) for t in params.get("incident_types", [])]
        return _incident_type_bubble(types, language, params.get("repeat_case_no"))
    if message.prompt == Prompt.CONFIRM_LOCATION and not params.get("place"):
        params["place"] = label("place_unknown", language)
    if message.prompt == Prompt.OFF_SCRIPT:
        params["hint"] = step_hint(params.get("step", "incident_type"), language)
    if message.prompt in (Prompt.OFF_SCRIPT, Prompt.PHONE_INVALID):
        params["kept"] = pick(_KEPT, language) if params.get("kept") else ""
    if message.prompt == Prompt.CONSENT_THANKS:
        texts = _CONSENT_THANKS[Consent(params["consent"])]
    else:
        texts = _TEXTS[message.prompt]
    text = pick(texts, language).format(**params)
    if message.prompt in (Prompt.CASE_OPENED, Prompt.CASE_OPENED_INCOMPLETE):
        text += pick(_DELETE_CHAT_TIP, language)
    rendered: dict[str, Any] = {"type": "text", "text": text}
    actions = _quick_replies_for(message.prompt, params, language)
    if actions:
        rendered["quickReply"] = _quick_reply(actions)
    return rendered
