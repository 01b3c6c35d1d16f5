"""Back-office accounts: who signs in, in which role, and which cases that lets them see."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from domain.case_rules import PROVINCE_ROLES
from domain.models import Officer, OfficerRole
from domain.scope import CaseScope, HandoffScope


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
# Who sees any of a reporter's phone number only once the reporter agreed to be contacted by them.
NEEDS_REPORTERS_CONSENT = frozenset({AccountRole.TEAM_MEMBER})
# Who reads the team's hand-off pages (the care plan and its notes are the team's): the team and
# administrators. The police see a forwarded case's outcome on their own case page.
READS_HANDOFFS = frozenset({AccountRole.TEAM_MEMBER, AccountRole.SUPERADMIN, AccountRole.PROVINCE_ADMIN})
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
    team_member_id: int | None = None  # a team's account acts on hand-offs as this member; None: reads only

    @property
    def scope(self) -> CaseScope:
        if self.role == AccountRole.SUPERADMIN:
            return CaseScope.national()
        if self.role == AccountRole.STATION_OFFICER:
            return CaseScope(station_id=self.station_id, nothing=self.station_id is None)
        if self._national_team_member:
            return CaseScope(forwarded_only=True)
        return CaseScope(province_code=self.province_code, nothing=self.province_code is None,
                         forwarded_only=self.role == AccountRole.TEAM_MEMBER)

    @property
    def handoff_scope(self) -> HandoffScope:
        """A station sees what it forwarded; a province's team, administrators and 191 centre its
        province's hand-offs; the national administrators every one."""
        if self.role == AccountRole.SUPERADMIN or self._national_team_member:
            return HandoffScope.national()
        if self.role == AccountRole.STATION_OFFICER:
            return HandoffScope(station_id=self.station_id, nothing=self.station_id is None)
        return HandoffScope(province_code=self.province_code, nothing=self.province_code is None)

    @property
    def _national_team_member(self) -> bool:
        """A team account with no province acts as a national-desk member (the database allows no other)."""
        return self.role == AccountRole.TEAM_MEMBER and self.province_code is None and self.team_member_id is not None

    @property
    def reads_handoffs(self) -> bool:
        return self.role in READS_HANDOFFS

    @property
    def acts_on_handoffs(self) -> bool:
        """Only a team's account linked to a team member acts; every other account reads."""
        return self.role == AccountRole.TEAM_MEMBER and self.team_member_id is not None

    @property
    def is_administrator(self) -> bool:
        return self.role in ADMINISTRATORS

    @property
    def decodes_temporal_payloads(self) -> bool:
        """Who reads encrypted workflow histories in the Temporal UI (the API's codec endpoint), and
        so is shown links to it: administrators (a province's only its own cases' payloads)."""
        return self.is_administrator


def officer_account_role(officer: Officer) -> AccountRole | None:
    """The role of the account a linked officer with none gets at their first sign-in with LINE: the
    one whose scope is the scope they are alerted for (CaseScope.of_officer). A province's 191 centre,
    commander or deputy commander reads and acts on the province's cases, as a 191 centre operator; any
    other officer on their station's, as a station officer. None for the national desk (a national
    scope is granted only by an administrator) and for an officer without the station or province
    their role needs (they see no case)."""
    if officer.role == OfficerRole.NATIONAL_DESK:
        return None
    if officer.role in PROVINCE_ROLES:
        return AccountRole.CENTRE_OPERATOR if officer.province_code is not None else None
    return AccountRole.STATION_OFFICER if officer.station_id is not None else None
