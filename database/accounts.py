"""Back-office accounts: create, disable, change a password, and the demonstration accounts.

Passwords are hashed with argon2id (argon2-cffi's defaults); only the hash is stored. Hashing takes
tens of milliseconds of CPU: it runs in PASSWORD_THREADS threads of its own at a lower CPU priority,
never on the event loop that answers LINE's webhook, however many people sign in at once.

On the command line: python -m tools.accounts create|password|disable (tools/accounts.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.accounts import Account, AccountRole

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# argon2 releases the GIL; two at a time, at a lower CPU priority, leave the event loop its share.
PASSWORD_THREADS = 2
PASSWORD_THREAD_NICENESS = 10


def _lower_priority() -> None:
    """Linux sets priorities per thread; argon2's own lane threads inherit this one's."""
    with contextlib.suppress(OSError):  # a priority is a courtesy, not a requirement
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PASSWORD_THREAD_NICENESS)


# Their own threads, not the shared pool anyio lends to Starlette: the lower priority stays here.
_password_threads = ThreadPoolExecutor(max_workers=PASSWORD_THREADS, thread_name_prefix="password",
                                       initializer=_lower_priority)
# Checked when the username is unknown, so a wrong username takes as long as a wrong password.
NO_ACCOUNT_HASH = _hasher.hash("not a real password, only for timing")

ACCOUNT_COLUMNS = """a.id AS account_id, a.username, a.display_name, a.role, a.province_code,
    a.station_id, a.officer_id"""


class AccountRefused(ValueError):
    """Why an account could not be created or changed, Thai then English."""


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_password_threads, _hasher.hash, password)


async def password_matches(password_hash: str, password: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(_password_threads, _verified, password_hash, password)


def _verified(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร — "
                             f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


async def create_account(
    connection: asyncpg.Connection, *, username: str, display_name: str, password: str, role: AccountRole,
    province_code: str | None = None, station_code: str | None = None, officer_code: str | None = None,
    team_member_code: str | None = None, is_demo: bool = False,
) -> int:
    """The new account's id. A station implies its province; an officer, their station and province;
    a team member (for a TEAM_MEMBER account, which then acts on hand-offs as them), their province."""
    check_password(password)
    username = username.strip().lower()
    station_id = None
    officer_id = None
    team_member_id = None
    if officer_code:
        officer = await connection.fetchrow(
            "SELECT o.id, o.station_id, coalesce(s.province_code, o.province_code) AS province_code "
            "FROM officers o LEFT JOIN stations s ON s.id = o.station_id WHERE o.code = $1 AND o.active",
            officer_code,
        )
        if officer is None:
            raise AccountRefused("ไม่พบเจ้าหน้าที่รหัสนี้ — no active officer has that code")
        officer_id, station_id = officer["id"], officer["station_id"]
        province_code = _same_province(province_code, officer["province_code"])
    if team_member_code:
        if role != AccountRole.TEAM_MEMBER:
            raise AccountRefused("เฉพาะบัญชีทีมสหวิชาชีพที่ทำงานในนามสมาชิกทีมได้ — "
                                 "only a team member account may act as a team member")
        member = await connection.fetchrow(
            "SELECT id, province_code FROM team_members WHERE code = $1 AND active", team_member_code
        )
        if member is None:
            raise AccountRefused("ไม่พบสมาชิกทีมสหวิชาชีพรหัสนี้ — no active team member has that code")
        team_member_id = member["id"]
        province_code = _same_province(province_code, member["province_code"])
    if station_code:
        station = await connection.fetchrow("SELECT id, province_code FROM stations WHERE code = $1", station_code)
        if station is None:
            raise AccountRefused("ไม่พบสถานีรหัสนี้ — no station has that code")
        station_id, province_code = station["id"], _same_province(province_code, station["province_code"])
    try:
        return await connection.fetchval(
            """
            INSERT INTO accounts (username, display_name, password_hash, role, province_code, station_id,
                                  officer_id, team_member_id, is_demo)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """,
            username, display_name, await hash_password(password), role.value, province_code, station_id, officer_id,
            team_member_id, is_demo,
        )
    except asyncpg.UniqueViolationError:
        raise AccountRefused("ชื่อผู้ใช้นี้มีอยู่แล้ว — that username is taken") from None
    except asyncpg.CheckViolationError:
        raise AccountRefused(
            "ชื่อผู้ใช้ใช้ได้เฉพาะ a-z 0-9 . _ - (3–64 ตัว) และบทบาทต้องระบุจังหวัดหรือสถานี — "
            "usernames are 3–64 of a-z 0-9 . _ -, and the role needs its province or station"
        ) from None


def _same_province(stated: str | None, found: str | None) -> str | None:
    """An account's province and its station's, officer's or team member's must agree. An account of
    a province never acts as the national desk's officer or team member (who have no province)."""
    if stated and not found:
        raise AccountRefused("บัญชีของจังหวัดทำงานในนามเจ้าหน้าที่หรือสมาชิกทีมของส่วนกลางไม่ได้ — "
                             "an account of a province cannot act as the national desk's officer or team member")
    if stated and found and stated != found:
        raise AccountRefused("สถานี เจ้าหน้าที่ หรือสมาชิกทีมนี้อยู่นอกจังหวัดที่ระบุ — "
                             "that station, officer or team member is in another province")
    return stated or found


@dataclass(frozen=True)
class PasswordSet:
    account_id: int
    sessions_ended: int


async def set_password(connection: asyncpg.Connection, username: str, password: str, *,
                       keeping_session: str | None = None) -> PasswordSet | None:
    """A new password ends the account's sessions, all of them or all but `keeping_session` (the key
    of the session that changed it): whoever held another one needs the new password. None when
    there is no such account."""
    check_password(password)
    new_hash = await hash_password(password)
    async with connection.transaction():
        account_id = await connection.fetchval(
            "UPDATE accounts SET password_hash = $2 WHERE username = $1 RETURNING id", username.lower(), new_hash
        )
        if account_id is None:
            return None
        return PasswordSet(account_id, await _end_sessions(connection, account_id, keeping_session))


async def disable_account(connection: asyncpg.Connection, username: str) -> bool:
    """Also ends the account's sessions at once."""
    async with connection.transaction():
        account_id = await connection.fetchval(
            "UPDATE accounts SET active = false WHERE username = $1 RETURNING id", username.lower()
        )
        if account_id is None:
            return False
        await _end_sessions(connection, account_id)
    return True


async def _end_sessions(connection: asyncpg.Connection, account_id: int, keeping_session: str | None = None) -> int:
    """How many sessions ended. `keeping_session` is a session's key (database.sessions.session_key)."""
    status = await connection.execute(
        "UPDATE account_sessions SET ended_at = now() "
        "WHERE account_id = $1 AND ended_at IS NULL AND token_hash IS DISTINCT FROM $2",
        account_id, keeping_session,
    )
    return int(status.split()[-1])


async def account_by_id(connection: asyncpg.Connection, account_id: int) -> Account | None:
    row = await connection.fetchrow(f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1 AND a.active",
                                    account_id)
    return Account(**dict(row)) if row else None


# --- demonstration accounts (development only) ---------------------------------------------

DEMO_ACCOUNTS_LOCK_KEY = 0x455353_44454D4F  # "ESS" "DEMO"
# (username, display name, role, province, officer code, team member code): Bangkok, where the
# simulator's pins land. bangkok-team acts on hand-offs as Bangkok's demo coordinator, bangkok-head as
# the head of its provincial office; chiangmai-team as Chiang Mai's demo coordinator.
DEMO_ACCOUNTS = (
    ("admin", "ผู้ดูแลระบบส่วนกลาง (ตัวอย่าง)", AccountRole.SUPERADMIN, None, "DEMO-OFFICER-NATIONAL-DESK-1", None),
    ("bangkok-admin", "ผู้ดูแลระบบ กรุงเทพมหานคร (ตัวอย่าง)", AccountRole.PROVINCE_ADMIN, "10", None, None),
    ("bangkok-191", "ศูนย์ 191 กรุงเทพมหานคร (ตัวอย่าง)", AccountRole.CENTRE_OPERATOR, None, "DEMO-OFFICER-191-10-1",
     None),
    ("khlongtoei", "สน.คลองเตย (ตัวอย่าง)", AccountRole.STATION_OFFICER, None, "DEMO-OFFICER-1033-INSPECTOR", None),
    ("bangkok-team", "ทีมสหวิชาชีพ กรุงเทพมหานคร (ตัวอย่าง)", AccountRole.TEAM_MEMBER, "10", None,
     "DEMO-TEAM-10-COORDINATOR"),
    # Approves the Bangkok team's closings and high-risk plans.
    ("bangkok-head", "หัวหน้าสำนักงาน พมจ. กรุงเทพมหานคร (ตัวอย่าง)", AccountRole.TEAM_MEMBER, "10", None,
     "DEMO-TEAM-10-OFFICE-HEAD"),
    # Receives a care the Bangkok team transfers to Chiang Mai.
    ("chiangmai-team", "ทีมสหวิชาชีพ เชียงใหม่ (ตัวอย่าง)", AccountRole.TEAM_MEMBER, "50", None,
     "DEMO-TEAM-50-COORDINATOR"),
)


async def ensure_demo_accounts(connection: asyncpg.Connection, password: str) -> int:
    """Adds the demonstration accounts that are missing (all with `password`); how many were added.
    The API and the worker start together: one adds them, the other waits and finds them there."""
    added = 0
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", DEMO_ACCOUNTS_LOCK_KEY)
        for account in DEMO_ACCOUNTS:
            added += await _add_demo_account(connection, password, *account)
    return added


async def _add_demo_account(connection: asyncpg.Connection, password: str, username: str, name: str,
                            role: AccountRole, province: str | None, officer: str | None,
                            team_member: str | None) -> int:
    if await connection.fetchval("SELECT 1 FROM accounts WHERE username = $1", username):
        if team_member:
            await _link_demo_team_member(connection, username, team_member)
        return 0
    if officer and not await connection.fetchval("SELECT 1 FROM officers WHERE code = $1", officer):
        return 0  # a directory without demo officers
    if team_member and not await connection.fetchval("SELECT 1 FROM team_members WHERE code = $1", team_member):
        return 0  # a directory without a demo team
    await create_account(connection, username=username, display_name=name, password=password, role=role,
                         province_code=province, officer_code=officer, team_member_code=team_member, is_demo=True)
    return 1


async def _link_demo_team_member(connection: asyncpg.Connection, username: str, team_member: str) -> None:
    """A demo account created before the demo team existed acts as its member from now on."""
    await connection.execute(
        """
        UPDATE accounts AS a SET team_member_id = m.id
        FROM team_members AS m
        WHERE a.username = $1 AND a.is_demo AND a.team_member_id IS NULL AND a.role = 'TEAM_MEMBER'
          AND m.code = $2 AND m.active AND m.province_code IS NOT DISTINCT FROM a.province_code
        """,
        username,
        team_member,
    )
