"""Which back-office account a LINE account signs in to (LINE Login, api/back_office/line_login.py).

An officer or team member links their LINE account with a one-time code (database.officer_codes);
the back-office account that acts as them (accounts.officer_id, accounts.team_member_id) is the one
they sign in to, with its role and scope. An officer with no such account gets one at their first
sign-in, in the role and scope they are alerted for (database.line_accounts); the national desk and
team members do not (an administrator grants theirs). Nothing else signs in with LINE: a LINE account
linked to nobody, to someone no longer active, or to someone without an active account of their own,
is refused; so is one whose person has several active accounts (which one would be a guess).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import asyncpg

from database.demo_data import MAY_SIGN_IN
from database.line_accounts import create_officer_account, follow_officer
from database.sessions import SESSION_ACCOUNT_COLUMNS
from domain.accounts import Account


class LineRefusal(StrEnum):
    NOT_LINKED = "not_linked"  # no officer or team member has this LINE account
    INACTIVE = "inactive"  # the officer or team member is no longer active
    NO_ACCOUNT = "no_account"  # linked, but no account acts as them, and LINE sign-in makes none for them
    ACCOUNT_DISABLED = "account_disabled"  # every account acting as them is disabled
    SEVERAL_ACCOUNTS = "several_accounts"


@dataclass(frozen=True)
class LinePerson:
    """Whom a LINE account is linked to: an officer or a team member (ids only, for the audit log)."""

    officer_id: int | None = None
    team_member_id: int | None = None
    active: bool = True


@dataclass(frozen=True)
class Refused:
    reason: LineRefusal
    person: LinePerson | None = None


@dataclass(frozen=True)
class LineAccount:
    """The account a LINE account signs in to, whose officer or team member it is, and whether this
    sign-in created the account or brought it to its officer's station and role today (for the audit log)."""

    account: Account
    person: LinePerson
    created: bool = False
    updated: bool = False


async def account_for_line_user(connection: asyncpg.Connection, line_user_id: str) -> LineAccount | Refused:
    """The account this LINE account signs in to, or why none. Run it in the transaction that audits
    the sign-in: an account it creates is written with its ACCOUNT_CREATED entry or not at all."""
    person = await _linked_person(connection, line_user_id)
    if person is None:
        return Refused(LineRefusal.NOT_LINKED)
    if not person.active:
        return Refused(LineRefusal.INACTIVE, person)
    created = updated = False
    if person.officer_id is not None:
        followed = await follow_officer(connection, person.officer_id)
        if followed is None:
            return Refused(LineRefusal.NO_ACCOUNT, person)
        updated = followed
    rows = await _accounts_acting_as(connection, person)
    if not rows and person.officer_id is not None:
        created = await create_officer_account(connection, person.officer_id) is not None
        rows = await _accounts_acting_as(connection, person)  # this one's, or a concurrent sign-in's
    usable = [row for row in rows if row["may_sign_in"]]
    if not rows:
        return Refused(LineRefusal.NO_ACCOUNT, person)
    if not usable:
        return Refused(LineRefusal.ACCOUNT_DISABLED, person)
    if len(usable) > 1:
        return Refused(LineRefusal.SEVERAL_ACCOUNTS, person)
    values = {key: value for key, value in dict(usable[0]).items() if key != "may_sign_in"}
    return LineAccount(Account(**values), person, created, updated and not created)


async def _accounts_acting_as(connection: asyncpg.Connection, person: LinePerson) -> list[asyncpg.Record]:
    return await connection.fetch(
        f"""SELECT {SESSION_ACCOUNT_COLUMNS}, a.active AND {MAY_SIGN_IN} AS may_sign_in FROM accounts a
            WHERE a.officer_id = $1 OR a.team_member_id = $2""",
        person.officer_id, person.team_member_id,
    )


async def _linked_person(connection: asyncpg.Connection, line_user_id: str) -> LinePerson | None:
    """The officer or team member whose LINE account this is (registration links one person to it)."""
    officer = await connection.fetchrow("SELECT id, active FROM officers WHERE line_user_id = $1", line_user_id)
    if officer is not None:
        return LinePerson(officer_id=officer["id"], active=officer["active"])
    member = await connection.fetchrow("SELECT id, active FROM team_members WHERE line_user_id = $1", line_user_id)
    return LinePerson(team_member_id=member["id"], active=member["active"]) if member is not None else None
