"""The agencies a province's multidisciplinary team refers people to: a hospital's crisis centre
(ศูนย์พึ่งได้, OSCC), shelters, the province's children's and family home, legal aid, hotlines. Plain
data: they come in through the directory import (database/directory) and the hand-off's referral
reads them. An agency without a province is national (the 1300 hotline) and serves every province."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class AgencyKind(StrEnum):
    """Declared in the order a province's directory lists them."""

    OSCC = "OSCC"  # ศูนย์พึ่งได้ (One Stop Crisis Centre) at a hospital
    CHILDRENS_HOME = "CHILDRENS_HOME"  # บ้านพักเด็กและครอบครัวจังหวัด
    SHELTER = "SHELTER"  # สถานคุ้มครอง / บ้านพักพิง (other than the children's and family home)
    LEGAL_AID = "LEGAL_AID"  # e.g. สำนักงานคุ้มครองสิทธิและช่วยเหลือทางกฎหมายแก่ประชาชน
    HEALTH = "HEALTH"  # hospitals, mental-health services
    HOTLINE = "HOTLINE"  # e.g. ศูนย์ช่วยเหลือสังคม สายด่วน 1300
    OTHER = "OTHER"


# The kinds' names in Thai and English. Here rather than in rendering/ (like domain.role_names): the
# directory import reads the Thai names from its sheets too, and every page shows them.
AGENCY_KIND_LABELS: dict[AgencyKind, tuple[str, str]] = {
    AgencyKind.OSCC: ("ศูนย์พึ่งได้ (OSCC)", "One Stop Crisis Centre (OSCC)"),
    AgencyKind.CHILDRENS_HOME: ("บ้านพักเด็กและครอบครัว", "Children's and family home"),
    AgencyKind.SHELTER: ("สถานคุ้มครอง/บ้านพักพิง", "Shelter"),
    AgencyKind.LEGAL_AID: ("ช่วยเหลือทางกฎหมาย", "Legal aid"),
    AgencyKind.HEALTH: ("บริการสุขภาพ", "Health service"),
    AgencyKind.HOTLINE: ("สายด่วน", "Hotline"),
    AgencyKind.OTHER: ("อื่น ๆ", "Other"),
}


class Agency(BaseModel):
    """An active agency of the directory, as a referral names it."""

    agency_id: int
    code: str
    kind: AgencyKind
    province_code: str | None  # None: national, offered to every province
    name_th: str
    name_en: str
    phone: str | None = None  # E.164 (+6621234567), or a short code such as 1300
    note: str | None = None

    @property
    def is_national(self) -> bool:
        return self.province_code is None
