"""The live desk's read model: cases that reached nobody, and what each account has read.

A case has reached nobody when its ladder has been tried (an ALERTED entry exists) and no LINE
alert was taken by anyone (cases.officers_reached, kept by the case store from those entries),
and nobody has taken it on yet (it is still NEW)."""

from __future__ import annotations

import asyncpg

from database.sql import Conditions
from domain.scope import CaseScope


def reached_nobody(alias: str = "c") -> str:
    """SQL: the case has reached nobody (see the module's words)."""
    return (f"({alias}.status = 'NEW' AND {alias}.first_alerted_at IS NOT NULL "
            f"AND {alias}.officers_reached = 0)")


async def count_reaching_nobody(connection: asyncpg.Connection, scope: CaseScope, province_code: str | None) -> int:
    """Open cases within the scope (and province, when given) that have reached nobody."""
    where = Conditions()
    where.add_scope(scope)
    if province_code is not None:
        where.add("c.province_code = {}", province_code)
    return await connection.fetchval(
        f"SELECT count(*) FROM cases c WHERE {reached_nobody()} AND {where.sql()}", *where.parameters)
