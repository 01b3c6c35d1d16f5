"""Which of the back office's actions must be deliberate, and what each will do, said before it
is done: a consequential action is confirmed on a page that names its consequence, and needs a
reason where the record must say why.

The workflows decide what is allowed; this is the desk's own care on top (the JSON API, used by
machines, keeps the workflows' rules alone)."""

from __future__ import annotations

from domain.case_rules import NEEDS_NOTE
from domain.handoff import TEAM_NEEDS_NOTE, TeamActionKind
from domain.models import ActionKind

# A case action asks for its reason on the desk: the workflow's own, and a reassignment's (the new
# station must know why it has the case).
CASE_NEEDS_REASON = NEEDS_NOTE | {ActionKind.REASSIGN}
# Confirmed on a page naming what will happen before it is sent.
CASE_CONFIRMED = frozenset({ActionKind.CLOSE, ActionKind.NOT_FOUND, ActionKind.PRANK, ActionKind.FORWARD,
                            ActionKind.REASSIGN, ActionKind.MESSAGE_REPORTER})
# End the police's part of the case for good: shown apart, in the danger style.
CASE_ENDING = frozenset({ActionKind.CLOSE, ActionKind.NOT_FOUND, ActionKind.PRANK})

# What will happen, as the confirmation says it (Thai, English).
CASE_CONSEQUENCES: dict[ActionKind, tuple[str, str]] = {
    ActionKind.CLOSE: ("ปิดเรื่องว่าระงับเหตุแล้ว — ผู้แจ้งจะได้รับข้อความทาง LINE ว่าเรื่องปิดแล้ว"
                       " และจะดำเนินการกับเรื่องนี้ต่อไม่ได้",
                       "Close the case as dealt with — the reporter is told on LINE that it is closed,"
                       " and no further action can be taken on it"),
    ActionKind.NOT_FOUND: ("ปิดเรื่องว่าไปถึงแล้วไม่พบเหตุ — ผู้แจ้งจะได้รับข้อความทาง LINE ว่าไม่พบเหตุ"
                           " และจะดำเนินการกับเรื่องนี้ต่อไม่ได้",
                           "Close the case as nothing found — the reporter is told on LINE that nothing was"
                           " found, and no further action can be taken on it"),
    ActionKind.PRANK: ("ปิดเรื่องว่าเป็นการแจ้งเล่น — ผู้แจ้งจะไม่ได้รับข้อความ เรื่องนี้นับเป็นประวัติแจ้งเล่น"
                       "ของผู้แจ้ง (แจ้งเล่นหลายครั้ง เรื่องต่อไปจะถูกทำเครื่องหมายให้ตรวจสอบ)"
                       " และจะดำเนินการกับเรื่องนี้ต่อไม่ได้",
                       "Close the case as a prank — the reporter is not told; it counts in this reporter's"
                       " record (after several, their later reports are flagged for review), and no further"
                       " action can be taken on it"),
    ActionKind.FORWARD: ("ส่งต่อเรื่องให้ทีมสหวิชาชีพของจังหวัด — ทีมจะได้รับแจ้งเตือนพร้อมบันทึกนี้"
                         " และผู้แจ้งจะถูกถามว่ายินยอมให้ทีมติดต่อหรือไม่",
                         "Forward the case to the province's multidisciplinary team — the team is alerted"
                         " with this note, and the reporter is asked whether the team may contact them"),
    ActionKind.REASSIGN: ("โอนเรื่องไปยังสถานีที่เลือก — สถานีนั้นจะรับผิดชอบเรื่องนี้แทน"
                          " และเจ้าหน้าที่ของสถานีนั้นจะได้รับแจ้งเตือนหากยังไม่มีผู้รับทราบ",
                          "Move the case to the chosen station — that station takes it over, and its"
                          " officers are alerted if nobody has acknowledged it yet"),
    ActionKind.MESSAGE_REPORTER: ("ส่งข้อความนี้ถึงผู้แจ้งทาง LINE ตามที่เขียนไว้ทุกตัวอักษร",
                                  "Send this message to the reporter on LINE, exactly as written"),
}
# Said beside the message box and again in its confirmation: neutral words protect the reporter.
READ_BY_OTHERS = ("โทรศัพท์ของผู้แจ้งอาจมีผู้อื่นเห็นหรืออ่านข้อความได้ เขียนด้วยถ้อยคำที่เป็นกลาง"
                  " ไม่ระบุรายละเอียดของเหตุ",
                  "Someone else may see or read the reporter's phone: keep the words neutral and"
                  " leave out the details of the incident")

TEAM_NEEDS_REASON = TEAM_NEEDS_NOTE
TEAM_CONFIRMED = frozenset({TeamActionKind.REJECT, TeamActionKind.CLOSE})
TEAM_CONSEQUENCES: dict[TeamActionKind, tuple[str, str]] = {
    TeamActionKind.REJECT: ("ส่งเรื่องคืนตำรวจพร้อมเหตุผลนี้ — สถานีจะได้รับแจ้งและดำเนินการกับเรื่องต่อ"
                            " ทีมจะไม่ดูแลเรื่องนี้อีก",
                            "Return the case to the police with this reason — the station is told and works"
                            " on the case again; the team no longer cares for it"),
    TeamActionKind.CLOSE: ("ปิดการดูแลด้วยผลนี้ — แผนติดตามที่ยังค้างจะยกเลิก และจะบันทึกการดูแลเพิ่มไม่ได้",
                           "Close the care with this outcome — follow-ups still planned are cancelled, and"
                           " no further care can be recorded"),
}
