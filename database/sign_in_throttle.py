"""Slowing password guesses without locking anyone out.

Every failed sign-in is kept for a day with the username and the address it came from. A guesser
meets three limits, each a wait rather than a lock:
- one username from one address: FREE_FAILURES tries, then a wait of FIRST_WAIT that doubles with
  each further failure, up to LONGEST_WAIT. The officer signing in from elsewhere is not held up.
- one address, whatever the usernames: FAILURES_PER_ADDRESS within ADDRESS_WINDOW.
- the whole service: ESS_SIGN_IN_FAILURES_PER_MINUTE, so guessing from many addresses is slowed too.

An attempt is written as a failure before its password is checked and removed once it proves
right, so guesses sent at the same moment count against each other.
"""

from __future__ import annotations

import math
from datetime import timedelta

import asyncpg

FREE_FAILURES = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
FAILURE_MEMORY = timedelta(days=1)
ADDRESS_WINDOW = timedelta(minutes=15)
FAILURES_PER_ADDRESS = 20
SERVICE_WINDOW = timedelta(minutes=1)
# The first key of the advisory lock taken per (username, address): "SIGN".
_PAIR_LOCK_CLASS = 0x5349474E


def wait_after(failures: int) -> timedelta:
    """How long one username at one address waits after its latest failure."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 30), LONGEST_WAIT)


async def begin_attempt(connection: asyncpg.Connection, username: str, client: str,
                        failures_per_minute: int) -> timedelta | None:
    """Records the attempt as a failure and answers None, or how long the attempt must wait."""
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _PAIR_LOCK_CLASS,
                                 f"{username}\n{client}")
        wait = await _wait(connection, username, client, failures_per_minute)
        if wait > timedelta(0):
            return wait
        await connection.execute("INSERT INTO sign_in_failures (username, client) VALUES ($1, $2)", username, client)
    return None


async def attempt_failed(connection: asyncpg.Connection, username: str, client: str) -> bool:
    """The attempt stays a failure. True when it is the one that makes this username and address wait."""
    await connection.execute("DELETE FROM sign_in_failures WHERE at < now() - $1::interval", FAILURE_MEMORY)
    failures = await connection.fetchval(
        "SELECT count(*) FROM sign_in_failures WHERE username = $1 AND client = $2", username, client)
    return failures == FREE_FAILURES


async def attempt_succeeded(connection: asyncpg.Connection, username: str, client: str) -> None:
    """The right password: this username's failures from this address are forgiven (not others')."""
    await clear(connection, username, client)


async def clear(connection: asyncpg.Connection, username: str, client: str) -> int:
    """Ends a wait (an administrator's decision, or a right password); how many failures went."""
    status = await connection.execute("DELETE FROM sign_in_failures WHERE username = $1 AND client = $2",
                                      username, client)
    return int(status.split()[-1])


async def _wait(connection: asyncpg.Connection, username: str, client: str, failures_per_minute: int) -> timedelta:
    row = await connection.fetchrow(
        """
        SELECT now() AS now, pair.failures, pair.latest,
               (SELECT at FROM sign_in_failures WHERE client = $2 AND at > now() - $4::interval
                ORDER BY at DESC OFFSET $5 LIMIT 1) AS address_full_since,
               (SELECT at FROM sign_in_failures WHERE at > now() - $6::interval
                ORDER BY at DESC OFFSET $7 LIMIT 1) AS service_full_since
        FROM (SELECT count(*) AS failures, max(at) AS latest FROM sign_in_failures
              WHERE username = $1 AND client = $2 AND at > now() - $3::interval) AS pair
        """,
        username, client, FAILURE_MEMORY, ADDRESS_WINDOW, FAILURES_PER_ADDRESS - 1, SERVICE_WINDOW,
        failures_per_minute - 1,
    )
    # Only a wait the failures earned: a concurrent attempt's free failure may be stamped after this
    # transaction's now(), which must not read as a wait.
    earned = wait_after(row["failures"])
    until = [row["latest"] + earned] if earned > timedelta(0) else []
    if row["address_full_since"]:
        until.append(row["address_full_since"] + ADDRESS_WINDOW)
    if row["service_full_since"]:
        until.append(row["service_full_since"] + SERVICE_WINDOW)
    return max([moment - row["now"] for moment in until] + [timedelta(0)])


async def waiting(connection: asyncpg.Connection, province_code: str | None = None) -> list[dict]:
    """Who has failed FREE_FAILURES times or more from one address in the last day, most recent first:
    username, client, failures, latest, until (when the next try is heard), and the account's name if
    the username is one. With a province: only that province's accounts."""
    rows = await connection.fetch(
        """
        SELECT f.username, f.client, count(*) AS failures, max(f.at) AS latest, a.display_name
        FROM sign_in_failures f LEFT JOIN accounts a ON a.username = f.username
        WHERE f.at > now() - $1::interval AND ($2::text IS NULL OR a.province_code = $2)
        GROUP BY f.username, f.client, a.display_name HAVING count(*) >= $3
        ORDER BY max(f.at) DESC LIMIT 500
        """,
        FAILURE_MEMORY, province_code, FREE_FAILURES,
    )
    return [dict(row) | {"until": row["latest"] + wait_after(row["failures"])} for row in rows]


def minutes_to_wait(wait: timedelta) -> int:
    """Whole minutes, rounded up: what the sign-in page says."""
    return max(1, math.ceil(wait.total_seconds() / 60))
