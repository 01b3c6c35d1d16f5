"""Which cases someone may see: every case (national), one province's, or one station's; and which
hand-offs: every one, one province's team's, or those one station forwarded.

The same rule as domain.case_rules.within_jurisdiction, as data the database queries can apply."""

from __future__ import annotations

from dataclasses import dataclass

from domain.case_rules import PROVINCE_ROLES, WITH_TEAM
from domain.models import Officer, OfficerRole


@dataclass(frozen=True)
class CaseScope:
    province_code: str | None = None  # only this province's cases
    station_id: int | None = None  # only this station's cases
    nothing: bool = False  # e.g. a province role with no province: sees no case at all
    # A multidisciplinary team counts and maps only the cases handed to it and not given back (WITH_TEAM:
    # waiting for its answer, or accepted), and never opens a police case page: what it sees of a case
    # is the hand-off page.
    forwarded_only: bool = False

    @classmethod
    def national(cls) -> CaseScope:
        return cls()

    @classmethod
    def of_officer(cls, officer: Officer) -> CaseScope:
        if officer.role == OfficerRole.NATIONAL_DESK:
            return cls.national()
        if officer.role in PROVINCE_ROLES:
            return cls(province_code=officer.province_code, nothing=officer.province_code is None)
        return cls(station_id=officer.station_id, nothing=officer.station_id is None)

    @property
    def is_national(self) -> bool:
        return not (self.nothing or self.forwarded_only) and self.province_code is None and self.station_id is None

    @property
    def opens_case_pages(self) -> bool:
        """The police case list and case pages (timeline, reporter's messages and photos)."""
        return not self.forwarded_only

    def allows(self, province_code: str | None, station_id: int | None, status: str | None = None) -> bool:
        if self.nothing:
            return False
        if self.forwarded_only and status not in WITH_TEAM:
            return False
        if self.station_id is not None:
            return station_id == self.station_id
        if self.province_code is not None:
            return province_code == self.province_code
        return True


@dataclass(frozen=True)
class HandoffScope:
    """Which hand-offs someone may see: all (national), one province's team's, or those one
    station forwarded."""

    province_code: str | None = None  # the hand-offs of this province's team
    station_id: int | None = None  # the hand-offs this station forwarded
    nothing: bool = False

    @classmethod
    def national(cls) -> HandoffScope:
        return cls()

    def allows(self, province_code: str | None, station_id: int | None) -> bool:
        if self.nothing:
            return False
        if self.station_id is not None:
            return station_id == self.station_id
        if self.province_code is not None:
            return province_code == self.province_code
        return True
