"""The hand-off's words in Thai and English, for the back office, the exports and LINE."""

from __future__ import annotations

from domain.handoff import (
    ApprovalSubject,
    CareOutcome,
    Consent,
    FollowUpKind,
    FollowUpStatus,
    HandoffStatus,
    ReferralAnswer,
    TeamActionKind,
)
from domain.person_helped import AgeBand, HarmerRelation, Known, Sex
from domain.risk import RiskAnswer, RiskLevel

HANDOFF_STATUS_LABELS: dict[HandoffStatus, tuple[str, str]] = {
    HandoffStatus.AWAITING: ("รอทีมรับเรื่อง", "Awaiting the team"),
    HandoffStatus.IN_CARE: ("อยู่ในความดูแล", "In care"),
    HandoffStatus.REJECTED: ("ทีมส่งคืน", "Returned by the team"),
    HandoffStatus.CLOSED: ("ปิดการดูแล", "Care closed"),
}
TEAM_ACTION_LABELS: dict[TeamActionKind, tuple[str, str]] = {
    TeamActionKind.ACCEPT: ("รับเรื่อง", "Accept"),
    TeamActionKind.REJECT: ("ส่งคืนตำรวจ", "Return to the police"),
    TeamActionKind.ASSIGN: ("มอบหมายผู้ดูแล", "Assign a case worker"),
    TeamActionKind.PLAN: ("เพิ่มแผนติดตาม", "Plan a follow-up"),
    TeamActionKind.RECORD: ("บันทึกผลการติดตาม", "Record a follow-up"),
    TeamActionKind.CLOSE: ("ปิดการดูแล", "Close the care"),
    TeamActionKind.ADD_NOTE: ("บันทึกเพิ่มเติม", "Add note"),
    TeamActionKind.DESCRIBE_PERSON: ("บันทึกข้อมูลผู้ได้รับความช่วยเหลือ", "Record the person helped"),
    TeamActionKind.ASSESS_RISK: ("ประเมินความเสี่ยง", "Assess the risk"),
    TeamActionKind.APPROVE: ("อนุมัติ", "Approve"),
    TeamActionKind.SEND_BACK: ("ส่งกลับให้แก้ไข", "Send back"),
    TeamActionKind.REFER: ("ส่งต่อหน่วยงาน", "Refer to an agency"),
    TeamActionKind.ANSWER_REFERRAL: ("บันทึกคำตอบของหน่วยงาน", "Record the agency's answer"),
    TeamActionKind.MESSAGE_REPORTER: ("ส่งข้อความถึงผู้แจ้ง", "Message the reporter"),
    TeamActionKind.TRANSFER: ("ขอโอนการดูแล", "Offer the care to the other team"),
    TeamActionKind.ACCEPT_TRANSFER: ("รับโอนการดูแล", "Accept the care"),
    TeamActionKind.DECLINE_TRANSFER: ("ไม่รับโอน", "Decline the transfer"),
}
FOLLOW_UP_KIND_LABELS: dict[FollowUpKind, tuple[str, str]] = {
    FollowUpKind.HOME_VISIT: ("เยี่ยมบ้าน", "Home visit"),
    FollowUpKind.CALL: ("โทรติดตาม", "Call"),
    FollowUpKind.SHELTER_PLACEMENT: ("จัดหาที่พักพิง", "Shelter placement"),
    FollowUpKind.REFERRAL: ("ส่งต่อหน่วยงานอื่น", "Referral to another agency"),
    FollowUpKind.RISK_REVIEW: ("ทบทวนความเสี่ยง", "Risk review"),
}
FOLLOW_UP_STATUS_LABELS: dict[FollowUpStatus, tuple[str, str]] = {
    FollowUpStatus.PLANNED: ("ตามแผน", "Planned"),
    FollowUpStatus.DONE: ("ทำแล้ว", "Done"),
    FollowUpStatus.CANCELLED: ("ยกเลิก", "Cancelled"),
}
CARE_OUTCOME_LABELS: dict[CareOutcome, tuple[str, str]] = {
    CareOutcome.SAFE_WITH_FAMILY: ("ปลอดภัย อยู่กับครอบครัว", "Safe with family"),
    CareOutcome.SHELTERED: ("เข้าบ้านพัก/สถานคุ้มครอง", "In a shelter"),
    CareOutcome.REFERRED: ("ส่งต่อหน่วยงานอื่น", "Referred to another agency"),
    CareOutcome.LEGAL_PROCESS: ("เข้าสู่กระบวนการยุติธรรม", "In the legal process"),
    CareOutcome.DECLINED_HELP: ("ผู้เสียหายปฏิเสธความช่วยเหลือ", "Declined help"),
    CareOutcome.UNREACHABLE: ("ติดต่อไม่ได้", "Could not be reached"),
    CareOutcome.OTHER: ("อื่น ๆ", "Other"),
}
CONSENT_LABELS: dict[Consent, tuple[str, str]] = {
    Consent.ASKED: ("รอคำตอบจากผู้แจ้ง", "Reporter not answered yet"),
    Consent.GIVEN: ("ผู้แจ้งยินยอมให้ติดต่อ", "Reporter agreed to be contacted"),
    Consent.REFUSED: ("ผู้แจ้งไม่ยินยอมให้ติดต่อ", "Reporter declined contact"),
}

# The person helped (domain.person_helped).
KNOWN_LABELS: dict[Known, tuple[str, str]] = {
    Known.UNKNOWN: ("ไม่ทราบ", "Unknown"),
    Known.YES: ("ใช่", "Yes"),
    Known.NO: ("ไม่ใช่", "No"),
}
AGE_BAND_LABELS: dict[AgeBand, tuple[str, str]] = {
    AgeBand.UNKNOWN: ("ไม่ทราบ", "Unknown"),
    AgeBand.UNDER_6: ("ต่ำกว่า 6 ปี", "Under 6"),
    AgeBand.FROM_6_TO_11: ("6–11 ปี", "6–11"),
    AgeBand.FROM_12_TO_17: ("12–17 ปี", "12–17"),
    AgeBand.FROM_18_TO_24: ("18–24 ปี", "18–24"),
    AgeBand.FROM_25_TO_59: ("25–59 ปี", "25–59"),
    AgeBand.FROM_60: ("60 ปีขึ้นไป", "60 or older"),
}
SEX_LABELS: dict[Sex, tuple[str, str]] = {
    Sex.UNKNOWN: ("ไม่ทราบ", "Unknown"),
    Sex.FEMALE: ("หญิง", "Female"),
    Sex.MALE: ("ชาย", "Male"),
    Sex.OTHER: ("อื่น ๆ", "Other"),
}
HARMER_RELATION_LABELS: dict[HarmerRelation, tuple[str, str]] = {
    HarmerRelation.UNKNOWN: ("ไม่ทราบ", "Unknown"),
    HarmerRelation.SPOUSE_OR_PARTNER: ("คู่สมรสหรือคู่ครอง", "Spouse or partner"),
    HarmerRelation.FORMER_PARTNER: ("อดีตคู่ครอง", "Former partner"),
    HarmerRelation.PARENT_OR_GUARDIAN: ("พ่อแม่หรือผู้ปกครอง", "Parent or guardian"),
    HarmerRelation.CHILD: ("บุตร", "Their child"),
    HarmerRelation.OTHER_RELATIVE: ("ญาติอื่น", "Other relative"),
    HarmerRelation.ACQUAINTANCE: ("คนรู้จัก", "Acquaintance"),
    HarmerRelation.STRANGER: ("คนแปลกหน้า", "Stranger"),
    HarmerRelation.OTHER: ("อื่น ๆ", "Other"),
}

# Risk (domain.risk) and supervision.
RISK_LEVEL_LABELS: dict[RiskLevel, tuple[str, str]] = {
    RiskLevel.LOW: ("ความเสี่ยงต่ำ", "Low risk"),
    RiskLevel.MEDIUM: ("ความเสี่ยงปานกลาง", "Medium risk"),
    RiskLevel.HIGH: ("ความเสี่ยงสูง", "High risk"),
}
RISK_ANSWER_LABELS: dict[RiskAnswer, tuple[str, str]] = {
    RiskAnswer.UNKNOWN: ("ไม่ทราบ", "Unknown"),
    RiskAnswer.YES: ("ใช่", "Yes"),
    RiskAnswer.NO: ("ไม่ใช่", "No"),
}
APPROVAL_SUBJECT_LABELS: dict[ApprovalSubject, tuple[str, str]] = {
    ApprovalSubject.CLOSURE: ("ขออนุมัติปิดการดูแล", "Closing awaiting approval"),
    ApprovalSubject.HIGH_RISK_PLAN: ("แผนความเสี่ยงสูงรออนุมัติ", "High-risk plan awaiting approval"),
}
REFERRAL_ANSWER_LABELS: dict[ReferralAnswer, tuple[str, str]] = {
    ReferralAnswer.ACCEPTED: ("หน่วยงานรับแล้ว", "Accepted by the agency"),
    ReferralAnswer.DECLINED: ("หน่วยงานปฏิเสธ", "Declined by the agency"),
}
