"""Building a WHERE clause with positional parameters, and the case scope as SQL."""

from __future__ import annotations

from typing import Any

from domain.case_rules import WITH_TEAM
from domain.scope import CaseScope


class Conditions:
    """Collects SQL conditions and their parameters: add("c.status = {}", status) → `c.status = $1`."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.parameters: list[Any] = []

    def add(self, template: str, *values: Any) -> None:
        placeholders = []
        for value in values:
            self.parameters.append(value)
            placeholders.append(f"${len(self.parameters)}")
        self.conditions.append(template.format(*placeholders))

    def add_scope(self, scope: CaseScope, alias: str = "c") -> None:
        """Only the cases the scope allows (CaseScope.allows, as SQL)."""
        if scope.nothing:
            self.conditions.append("false")
            return
        if scope.forwarded_only:
            # Statuses from the enum, never from a caller: written out, so a plan can use them.
            team_statuses = ", ".join(f"'{status.value}'" for status in sorted(WITH_TEAM))
            self.conditions.append(f"{alias}.status IN ({team_statuses})")
        if scope.station_id is not None:
            self.add(f"{alias}.station_id = {{}}", scope.station_id)
        elif scope.province_code is not None:
            self.add(f"{alias}.province_code = {{}}", scope.province_code)

    def sql(self) -> str:
        return " AND ".join(self.conditions) or "true"
