"""Back-office accounts: who signs in, in which role, and which cases that lets them see."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from domain.scope import CaseScope


class AccountRole(StrEnum):
    SUPERADMIN = "SUPERADMIN"  # ESS-Police national back office
    PROVINCE_ADMIN = "PROVINCE_ADMIN"  # ผู้ดูแลระบบจังหวัด
    CENTRE_OPERATOR = "CENTRE_OPERATOR"  # เจ้าหน้าที่ศูนย์ 191 จังหวัด
    STATION_OFFICER = "STATION_OFFICER"  # เจ้าหน้าที่สถานีตำรวจ
    TEAM_MEMBER = "TEAM_MEMBER"  # ทีมสหวิชาชีพจังหวัด


ACCOUNT_ROLE_LABELS: dict[AccountRole, tuple[str, str]] = {
    AccountRole.SUPERADMIN: ("ผู้ดูแลระบบส่วนกลาง", "National administrator"),
    AccountRole.PROVINCE_ADMIN: ("ผู้ดูแลระบบจังหวัด", "Province administrator"),
    AccountRole.CENTRE_OPERATOR: ("เจ้าหน้าที่ศูนย์ 191", "191 centre operator"),
    AccountRole.STATION_OFFICER: ("เจ้าหน้าที่สถานีตำรวจ", "Station officer"),
    AccountRole.TEAM_MEMBER: ("ทีมสหวิชาชีพ", "Multidisciplinary team"),
}
# Who handles cases and so may see a reporter's phone number without asking to unmask it.
HANDLES_CASES = frozenset({AccountRole.CENTRE_OPERATOR, AccountRole.STATION_OFFICER})
# Who manages accounts, settings and the directory.
ADMINISTRATORS = frozenset({AccountRole.SUPERADMIN, AccountRole.PROVINCE_ADMIN})


class Account(BaseModel):
    """A signed-in back-office user, as the session resolved them."""

    account_id: int
    username: str
    display_name: str
    role: AccountRole
    province_code: str | None = None
    station_id: int | None = None
    officer_id: int | None = None  # acts on cases as this officer; None: reads only

    @property
    def scope(self) -> CaseScope:
        if self.role == AccountRole.SUPERADMIN:
            return CaseScope.national()
        if self.role == AccountRole.STATION_OFFICER:
            return CaseScope(station_id=self.station_id, nothing=self.station_id is None)
        return CaseScope(province_code=self.province_code, nothing=self.province_code is None,
                         forwarded_only=self.role == AccountRole.TEAM_MEMBER)

    @property
    def is_administrator(self) -> bool:
        return self.role in ADMINISTRATORS
