"""database.handed_over.latest_handed_over: the reporter's latest case once the team accepted it,
with its newest hand-off and the reporter's consent. A row still FORWARDED whose newest hand-off was
accepted counts too (an older worker's store leaves it so while a deploy rolls); a newer case of the
reporter, a hand-off not accepted, or an earlier attempt's acceptance does not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from database.handed_over import latest_handed_over
from domain.handed_over import HandedOverCase


async def a_case(pool: asyncpg.Pool, reporter: str, status: str, opened_minutes_ago: int) -> str:
    case_no = f"ESS-1998-{uuid.uuid4().int % 1_000_000:06d}"
    await pool.execute(
        """insert into cases (case_no, conversation_id, reporter_key, line_user_id, status, complete, latitude,
                              longitude, province_code, reported_at, opened_at)
           values ($1, $2, $3, 'U-test', $4, true, 13.7, 100.5, '10', now(), $5)""",
        case_no, f"test-{uuid.uuid4()}", reporter, status, datetime.now(UTC) - timedelta(minutes=opened_minutes_ago))
    return case_no


async def a_handoff(pool: asyncpg.Pool, case_no: str, attempt: int, *, accepted: bool, consent: str) -> str:
    handoff_id = f"{case_no}-{attempt}"
    status = "IN_CARE" if accepted else "REJECTED"
    await pool.execute(
        """insert into handoffs (handoff_id, case_no, attempt, province_code, status, consent, forwarded_at,
                                 accept_due_at, accepted_at, rejected_at)
           values ($1, $2, $3, '10', $4, $5, now(), now() + interval '1 day',
                   case when $6 then now() end, case when $6 then null else now() end)""",
        handoff_id, case_no, attempt, status, consent, accepted)
    return handoff_id


async def test_the_latest_case_accepted_by_the_team_with_its_newest_handoff_and_consent(pool: asyncpg.Pool) -> None:
    reporter = uuid.uuid4().hex[:24]
    async with pool.acquire() as connection:
        assert await latest_handed_over(connection, reporter) is None  # no case at all
        case_no = await a_case(pool, reporter, "HANDED_OVER", opened_minutes_ago=60)
        await a_handoff(pool, case_no, 1, accepted=False, consent="REFUSED")
        newest = await a_handoff(pool, case_no, 2, accepted=True, consent="GIVEN")
        assert await latest_handed_over(connection, reporter) == HandedOverCase(
            case_no=case_no, handoff_id=newest, consent="GIVEN")

        await a_case(pool, reporter, "NEW", opened_minutes_ago=1)  # a newer case: theirs to write to
        assert await latest_handed_over(connection, reporter) is None


async def test_a_row_left_forwarded_counts_once_its_newest_handoff_was_accepted(pool: asyncpg.Pool) -> None:
    accepted, waiting, handed_back = (uuid.uuid4().hex[:24] for _ in range(3))
    async with pool.acquire() as connection:
        case_no = await a_case(pool, accepted, "FORWARDED", opened_minutes_ago=5)
        handoff_id = await a_handoff(pool, case_no, 1, accepted=True, consent="ASKED")
        assert await latest_handed_over(connection, accepted) == HandedOverCase(
            case_no=case_no, handoff_id=handoff_id, consent="ASKED")

        await a_case(pool, waiting, "FORWARDED", opened_minutes_ago=5)  # no hand-off row yet
        assert await latest_handed_over(connection, waiting) is None

        earlier = await a_case(pool, handed_back, "FORWARDED", opened_minutes_ago=5)
        await a_handoff(pool, earlier, 1, accepted=True, consent="GIVEN")
        await pool.execute("update handoffs set status = 'REJECTED', rejected_at = now() where case_no = $1", earlier)
        await a_handoff(pool, earlier, 2, accepted=False, consent="GIVEN")  # forwarded again, not accepted
        await pool.execute("update handoffs set status = 'AWAITING', rejected_at = null where handoff_id = $1",
                           f"{earlier}-2")
        assert await latest_handed_over(connection, handed_back) is None
