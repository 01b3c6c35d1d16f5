"""What a directory import did, or every problem that stopped it, for the administrator."""

from __future__ import annotations

from pydantic import BaseModel


class ImportProblem(BaseModel):
    sheet: str
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    reason_th: str
    reason_en: str


class IssuedCode(BaseModel):
    officer_code: str
    registration_code: str


class IssuedTeamCode(BaseModel):
    member_code: str
    registration_code: str


class ImportReport(BaseModel):
    imported: bool
    problems: list[ImportProblem] = []
    stations_created: int = 0
    stations_updated: int = 0
    officers_created: int = 0
    officers_updated: int = 0
    team_members_created: int = 0
    team_members_updated: int = 0
    agencies_created: int = 0
    agencies_updated: int = 0
    registration_codes: list[IssuedCode] = []
    team_registration_codes: list[IssuedTeamCode] = []

    def describe(self) -> str:
        if not self.imported:
            lines = [f"ไม่ได้นำเข้าข้อมูล: พบ {len(self.problems)} ปัญหา / Nothing imported: {len(self.problems)} problem(s)"]
            lines += [
                f"{p.sheet} แถว/row {p.row}, {p.column}: {p.reason_th} / {p.reason_en}" for p in self.problems
            ]
            return "\n".join(lines)
        lines = [
            "นำเข้าข้อมูลแล้ว / Imported:",
            f"  สถานี/stations: ใหม่/new {self.stations_created}, ปรับปรุง/updated {self.stations_updated}",
            f"  เจ้าหน้าที่/officers: ใหม่/new {self.officers_created}, ปรับปรุง/updated {self.officers_updated}",
            f"  ทีมสหวิชาชีพ/team members: ใหม่/new {self.team_members_created}, "
            f"ปรับปรุง/updated {self.team_members_updated}",
            f"  หน่วยงานส่งต่อ/agencies: ใหม่/new {self.agencies_created}, ปรับปรุง/updated {self.agencies_updated}",
        ]
        if self.registration_codes or self.team_registration_codes:
            lines.append("รหัสลงทะเบียน (แสดงครั้งเดียว) / Registration codes (shown once):")
            lines += [f"  {c.officer_code}\t{c.registration_code}" for c in self.registration_codes]
            lines += [f"  {c.member_code}\t{c.registration_code}" for c in self.team_registration_codes]
        return "\n".join(lines)
