"""Incident types: their labels, order, and escalation ladders (whom to alert, and when)."""

from __future__ import annotations

from typing import Any

import asyncpg


async def incident_types(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every type, active or not, in the order the reporter's menu shows them."""
    return await connection.fetch(
        "SELECT code, label_th, label_en, sort_order, active, escalation FROM incident_types "
        "ORDER BY sort_order, code")


async def save_incident_type(connection: asyncpg.Connection, code: str, *, label_th: str, label_en: str,
                             sort_order: int, active: bool, escalation: list[dict[str, Any]]) -> asyncpg.Record | None:
    """Creates or changes the type; returns what it was before (None: new). Call it inside a
    transaction: the row stays locked until the transaction ends."""
    before = await connection.fetchrow(
        "SELECT label_th, label_en, sort_order, active, escalation FROM incident_types WHERE code = $1 FOR UPDATE",
        code)
    if before is None:
        await connection.execute(
            "INSERT INTO incident_types (code, label_th, label_en, sort_order, active, escalation) "
            "VALUES ($1, $2, $3, $4, $5, $6)", code, label_th, label_en, sort_order, active, escalation)
    else:
        await connection.execute(
            "UPDATE incident_types SET label_th = $2, label_en = $3, sort_order = $4, active = $5, "
            "escalation = $6 WHERE code = $1", code, label_th, label_en, sort_order, active, escalation)
    return before
