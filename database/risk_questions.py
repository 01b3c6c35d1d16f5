"""The risk assessment's questions, as administrators keep them (domain.risk.RiskQuestion)."""

from __future__ import annotations

import asyncpg

from domain.risk import RiskQuestion

_COLUMNS = "code, text_th, text_en, raises_to, position, active"


async def risk_questions(connection: asyncpg.Connection, *, active_only: bool = False) -> list[RiskQuestion]:
    """In the order they are asked; retired ones too unless `active_only`."""
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM risk_questions WHERE active OR NOT $1 ORDER BY position, code", active_only)
    return [RiskQuestion(**dict(row)) for row in rows]


async def save_risk_question(connection: asyncpg.Connection, question: RiskQuestion) -> RiskQuestion | None:
    """Adds the question or rewrites it; returns it as it was before (None: it is new)."""
    before = await connection.fetchrow(f"SELECT {_COLUMNS} FROM risk_questions WHERE code = $1 FOR UPDATE",
                                       question.code)
    await connection.execute(
        """
        INSERT INTO risk_questions (code, text_th, text_en, raises_to, position, active)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (code) DO UPDATE SET text_th = $2, text_en = $3, raises_to = $4, position = $5, active = $6
        """,
        question.code, question.text_th, question.text_en, question.raises_to.value, question.position,
        question.active,
    )
    return RiskQuestion(**dict(before)) if before else None
