"""The audit log from the back office: who (account, and the officer it acts as), what, which case."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.accounts import Account


async def record(connection: asyncpg.Connection, action: str, *, account: Account | None = None,
                 case_no: str | None = None, **details: Any) -> None:
    await connection.execute(
        "INSERT INTO audit_log (account_id, officer_id, action, case_no, details) VALUES ($1, $2, $3, $4, $5)",
        account.account_id if account else None,
        account.officer_id if account else None,
        action,
        case_no,
        details,
    )
