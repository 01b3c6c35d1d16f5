"""The audit log in words: what each action means, and its particulars as "what: value" (Thai,
English), never the stored JSON. A detail this module does not know yet is still shown, by its name.

What the log does not hold is not shown: the ids of LINE events and the like stay in the database
for de-duplication."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.models import ActionKind, Audience
from rendering.audience_labels import AUDIENCE_LABELS
from rendering.officer_messages import ACTION_LABELS
from rendering.team_labels import TEAM_ACTION_LABELS

Words = tuple[str, str]

ACTION_WORDS: dict[str, Words] = {
    "SIGN_IN": ("เข้าสู่ระบบ", "Signed in"),
    "SIGN_OUT": ("ออกจากระบบ", "Signed out"),
    "SIGN_IN_REFUSED": ("เข้าสู่ระบบไม่สำเร็จ", "Sign-in refused"),
    "SIGN_IN_THROTTLED": ("ระงับการเข้าสู่ระบบชั่วคราว (ผิดหลายครั้ง)", "Sign-in paused (too many failures)"),
    "SIGN_IN_THROTTLE_CLEARED": ("ยกเลิกการระงับการเข้าสู่ระบบ", "Sign-in pause lifted"),
    "LINE_SIGN_IN": ("เข้าสู่ระบบด้วย LINE", "Signed in with LINE"),
    "LINE_SIGN_IN_REFUSED": ("เข้าสู่ระบบด้วย LINE ไม่สำเร็จ", "LINE sign-in refused"),
    "PASSWORD_CHANGED": ("เปลี่ยนรหัสผ่าน", "Password changed"),
    "PASSWORD_CHANGE_REFUSED": ("เปลี่ยนรหัสผ่านไม่สำเร็จ", "Password change refused"),
    "CASE_VIEWED": ("เปิดดูเรื่อง", "Viewed the case"),
    "CASE_VIEW_REFUSED": ("ขอดูเรื่องนอกเขต (ถูกปฏิเสธ)", "Asked for a case outside their area (refused)"),
    "CASE_ACTION": ("ดำเนินการกับเรื่อง", "Acted on the case"),
    "PHONE_UNMASKED": ("เปิดดูเบอร์ผู้แจ้ง", "Showed the reporter's number"),
    "ATTACHMENT_VIEWED": ("เปิดดูรูป/ไฟล์จากผู้แจ้ง", "Viewed the reporter's photos or files"),
    "HANDOFF_VIEWED": ("เปิดดูเรื่องส่งต่อ", "Viewed the hand-off"),
    "HANDOFF_VIEW_REFUSED": ("ขอดูเรื่องส่งต่อนอกเขต (ถูกปฏิเสธ)", "Asked for a hand-off outside their area (refused)"),
    "HANDOFF_ACTION": ("ดำเนินการกับเรื่องส่งต่อ", "Acted on the hand-off"),
    "CASELOAD_VIEWED": ("เปิดดูภาระงานของทีม", "Viewed the team's caseloads"),
    "PERSON_HELPED_VIEWED": ("เปิดดูข้อมูลผู้ได้รับความช่วยเหลือ", "Viewed the record of the person helped"),
    "MAP_VIEWED": ("เปิดดูแผนที่", "Viewed the map"),
    "EXPORT": ("ดาวน์โหลดข้อมูล", "Downloaded data"),
    "ACCOUNT_CREATED": ("สร้างบัญชีผู้ใช้", "Created an account"),
    "ACCOUNT_DISABLED": ("ปิดบัญชีผู้ใช้", "Disabled an account"),
    "ACCOUNT_UPDATED": ("ปรับบัญชีผู้ใช้ตามสถานีและหน้าที่ปัจจุบัน", "Brought an account to its officer's station and role"),
    "REGISTRATION_CODE_ISSUED": ("ออกรหัสลงทะเบียน LINE", "Issued a LINE registration code"),
    "DIRECTORY_IMPORTED": ("นำเข้าทำเนียบ", "Imported the directory"),
    "DIRECTORY_IMPORT_REFUSED": ("นำเข้าทำเนียบไม่สำเร็จ", "Directory import refused"),
    "SETTINGS_CHANGED": ("เปลี่ยนการตั้งค่า", "Changed the settings"),
    "TEMPORAL_PAYLOADS_DECODED": ("ถอดรหัสข้อมูลใน Temporal UI", "Decoded payloads in the Temporal UI"),
    "TEMPORAL_CODEC_REFUSED": ("ถอดรหัสใน Temporal UI ไม่ได้ (ไม่มีสิทธิ์)", "Temporal UI decoding refused"),
}
DETAIL_WORDS: dict[str, Words] = {
    "kind": ("รายการ", "what"),
    "refused": ("ไม่สำเร็จ", "refused"),
    "via": ("ทาง", "via"),
    "rows": ("จำนวนแถว", "rows"),
    "province": ("จังหวัด", "province"),
    "reported_from": ("แจ้งตั้งแต่", "reported from"),
    "reported_to": ("ถึง", "to"),
    "handoff_id": ("เรื่องส่งต่อ", "hand-off"),
    "attachment_id": ("ไฟล์", "file"),
    "attachments": ("จำนวนไฟล์", "files"),
    "markers": ("จำนวนจุด", "markers"),
    "status": ("สถานะ", "status"),
    "username": ("ชื่อผู้ใช้", "username"),
    "role": ("บทบาท", "role"),
    "reason": ("เหตุผล", "reason"),
    "client": ("เครื่อง", "client"),
    "officer_code": ("รหัสเจ้าหน้าที่", "officer code"),
    "team_member_code": ("รหัสสมาชิกทีม", "team member code"),
    "created_account_id": ("บัญชีที่สร้าง", "account created"),
    "disabled_account_id": ("บัญชีที่ปิด", "account disabled"),
    "updated_account_id": ("บัญชีที่ปรับ", "account updated"),
    "station_id": ("สถานี (รหัส)", "station (id)"),
    "province_code": ("จังหวัด (รหัส)", "province (code)"),
    "service_level": ("ระดับบริการ", "service level"),
    "incident_type": ("ประเภทเหตุ", "incident type"),
    "other_sessions_ended": ("ออกจากระบบเครื่องอื่น", "other sessions ended"),
    "namespace": ("namespace", "namespace"),
    "payloads": ("จำนวนข้อมูล", "payloads"),
    "problems": ("ปัญหา", "problems"),
    "officers_created": ("เจ้าหน้าที่ใหม่", "officers added"),
    "stations_created": ("สถานีใหม่", "stations added"),
    "team_members_created": ("สมาชิกทีมใหม่", "team members added"),
    "agencies_created": ("หน่วยงานส่งต่อใหม่", "agencies added"),
    "minutes": ("นาที", "minutes"),
    "label_th": ("ชื่อภาษาไทย", "Thai label"),
    "label_en": ("ชื่อภาษาอังกฤษ", "English label"),
    "sort_order": ("ลำดับ", "order"),
    "active": ("ให้ผู้แจ้งเลือกได้", "reporters may choose it"),
    "escalation": ("ลำดับการแจ้งเตือน", "escalation ladder"),
}
VIA_WORDS: dict[str, Words] = {"back_office": ("ระบบหลังบ้าน", "the back office"), "line": ("LINE", "LINE"),
                               "api": ("API", "the API"),
                               "line_link": ("ลิงก์รูปในข้อความ LINE", "a photo's link in a LINE message"),
                               "line_sign_in": ("การเข้าสู่ระบบด้วย LINE ครั้งแรก", "the first sign-in with LINE")}
# Why a sign-in was refused: with a password (database.sessions) or with LINE (api/back_office/line_login.py).
REASON_WORDS: dict[str, Words] = {
    "wrong": ("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "wrong username or password"),
    "throttled": ("ผิดหลายครั้ง ต้องรอก่อน", "too many failures, must wait"),
    "not_linked": ("บัญชี LINE ไม่ได้ผูกกับเจ้าหน้าที่หรือสมาชิกทีม", "LINE account linked to nobody"),
    "inactive": ("เจ้าหน้าที่หรือสมาชิกทีมถูกระงับ", "officer or team member disabled"),
    "no_account": ("ไม่มีบัญชีที่ทำงานในนามของผู้นี้", "no account acts as them"),
    "account_disabled": ("บัญชีถูกระงับ", "account disabled"),
    "several_accounts": ("มีหลายบัญชีที่ทำงานในนามของผู้นี้", "several accounts act as them"),
    "state": ("หมดเวลาหรือไม่ได้เริ่มจากระบบนี้", "expired or not started here"),
    "cancelled": ("ยกเลิกที่ LINE", "cancelled at LINE"),
    "line_unavailable": ("ติดต่อ LINE ไม่ได้", "LINE unreachable"),
    "code_refused": ("LINE ไม่รับรองรหัส", "LINE refused the code"),
    "invalid_token": ("หลักฐานตัวตนจาก LINE ไม่ถูกต้อง (อาจปลอม)", "invalid ID token (possibly forged)"),
    "expired_token": ("หลักฐานตัวตนจาก LINE หมดอายุ", "expired ID token"),
    "nonce": ("หลักฐานตัวตนเป็นของการเข้าสู่ระบบครั้งอื่น", "ID token of another sign-in"),
}
# Kept for the log's own work (de-duplication, linking), not for reading.
UNSHOWN = frozenset({"event_id", "team_member_id", "before"})


def action_words(action: str) -> Words:
    return ACTION_WORDS.get(action, (action, action))


def _value(key: str, value: Any) -> Words:
    if key == "kind" and isinstance(value, str):
        if value in ActionKind.__members__:
            return ACTION_LABELS[ActionKind(value)]
        for kind, label in TEAM_ACTION_LABELS.items():
            if kind.value == value:
                return label
    if key == "via" and isinstance(value, str):
        return VIA_WORDS.get(value, (value, value))
    if key == "reason" and isinstance(value, str):
        return REASON_WORDS.get(value, (value, value))
    if isinstance(value, bool):
        return ("ใช่", "yes") if value else ("ไม่", "no")
    if isinstance(value, Mapping):
        text = ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
        return text, text
    text = _plain(value)
    return text, text


def _ladder(rungs: Any) -> Words:
    """An escalation ladder: "0 นาที: เจ้าหน้าที่ของสถานี; 10 นาที: ผู้กำกับสถานี"."""
    thai, english = [], []
    for rung in rungs if isinstance(rungs, list) else []:
        audiences = [AUDIENCE_LABELS.get(Audience(a), (a, a)) if a in Audience.__members__ else (a, a)
                     for a in rung.get("audiences", [])]
        minutes = int(rung.get("after", 0)) // 60
        thai.append(f"{minutes} นาที: " + ", ".join(a[0] for a in audiences))
        english.append(f"{minutes} min: " + ", ".join(a[1] for a in audiences))
    return "; ".join(thai), "; ".join(english)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {_plain(v)}" for k, v in value.items())
    return str(value)


def detail_words(details: Mapping[str, Any] | None) -> list[tuple[Words, Words]]:
    """(what, value) pairs, each (Thai, English), for the details worth reading; empty values left out.
    A settings change reads as its new values ("after"); the old ones are in the previous change."""
    said: list[tuple[Words, Words]] = []
    for key, value in (details or {}).items():
        if key in UNSHOWN or value is None or value == "" or value == []:
            continue
        if key == "after" and isinstance(value, Mapping):
            for name, new in value.items():
                said.append((DETAIL_WORDS.get(name, (name, name)),
                             _ladder(new) if name == "escalation" else _value(name, new)))
            continue
        said.append((DETAIL_WORDS.get(key, (key, key)), _value(key, value)))
    return said
