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


REPORTER_MESSAGE = "REPORTER_MESSAGE"


def unread_messages(account_parameter: str, alias: str = "c") -> str:
    """SQL: how many of the case's reporter messages the account (a query parameter) has not read."""
    return f"""(SELECT count(*) FROM case_events e WHERE e.case_no = {alias}.case_no AND e.kind = '{REPORTER_MESSAGE}'
        AND e.id > coalesce((SELECT r.read_up_to FROM case_reads r
                             WHERE r.account_id = {account_parameter} AND r.case_no = {alias}.case_no), 0))"""


async def read_reporter_messages(connection: asyncpg.Connection, account_id: int, case_no: str,
                                 after: int) -> list[asyncpg.Record]:
    """The case's reporter messages after the timeline entry `after` (0: all), newest first; the
    account has now seen them."""
    messages = await connection.fetch(
        "SELECT id, at, details FROM case_events WHERE case_no = $1 AND kind = $2 AND id > $3 ORDER BY id DESC",
        case_no, REPORTER_MESSAGE, after)
    if messages:
        await connection.execute(
            """
            INSERT INTO case_reads (account_id, case_no, read_up_to) VALUES ($1, $2, $3)
            ON CONFLICT (account_id, case_no)
            DO UPDATE SET read_up_to = greatest(case_reads.read_up_to, excluded.read_up_to), read_at = now()
            """,
            account_id, case_no, messages[0]["id"])
    return messages
