"""Back-office accounts that LINE Login creates (migration 0016): an active officer who linked their LINE
account and has no account acting as them gets one at their first sign-in with LINE, so the alert's
"Open" signs in the very officer it woke, in the role and scope they are alerted for
(domain.accounts.officer_account_role). The national desk and team members are not given one: an
administrator grants those (database.accounts.create_account).

The account is named after the officer (rank once, then name), its username is line-officer-<id>, and
it has no password anyone knows (the hash of a random secret): it signs in with LINE only. At every
sign-in it follows its officer: moved by a directory import to another station, province or role, the
officer signs in with the scope they are alerted for now, not the one of their first sign-in. An
administrator disables it like any other account, and the officer is then refused."""

from __future__ import annotations

import secrets

import asyncpg

from database.accounts import hash_password
from database.directory_names import officer_display_name
from database.officers import officer_by_id
from domain.accounts import officer_account_role

USERNAME = "line-officer-{officer_id}"


async def create_officer_account(connection: asyncpg.Connection, officer_id: int) -> int | None:
    """The id of the account created now for this officer; None when none was created: the officer is
    not active, gets no account from LINE (the national desk; no station or province for their role;
    a demo officer once production has marked the database), or another sign-in created theirs a
    moment ago (read the officer's accounts again). Run it in the transaction that audits the creation."""
    officer = await officer_by_id(connection, officer_id)
    role = officer_account_role(officer) if officer is not None else None
    if officer is None or role is None:
        return None
    unusable_password = await hash_password(secrets.token_urlsafe(32))  # nobody is given it
    # ON CONFLICT: the same officer's account (one per officer, migration 0016) or, unlikely, the same
    # username taken by hand; the caller reads the officer's accounts again either way.
    return await connection.fetchval(
        f"""
        INSERT INTO accounts (username, display_name, password_hash, role, province_code, station_id, officer_id,
                              is_demo, created_by_line_sign_in)
        SELECT $2, {officer_display_name("o")}, $3, $4, $5, o.station_id, o.id, o.is_demo, true
        FROM officers o
        WHERE o.id = $1 AND o.active AND NOT (o.is_demo AND EXISTS (SELECT 1 FROM production_mark))
        ON CONFLICT DO NOTHING
        RETURNING id
        """,
        officer_id, USERNAME.format(officer_id=officer_id), unusable_password, role.value, officer.province_code,
    )


async def follow_officer(connection: asyncpg.Connection, officer_id: int) -> bool | None:
    """Brings the account LINE made for this officer to the officer's role, station, province and name
    today. True when something changed (audited by the caller), False when nothing did or the officer
    has no such account, None when the officer no longer gets an account from LINE (their role now
    needs an administrator's grant): they are then refused."""
    officer = await officer_by_id(connection, officer_id)
    role = officer_account_role(officer) if officer is not None else None
    if officer is None or role is None:
        made_by_line = await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE officer_id = $1 AND created_by_line_sign_in)", officer_id)
        return None if made_by_line else False
    changed = await connection.fetchval(
        f"""
        UPDATE accounts a SET role = $2, province_code = $3, station_id = o.station_id,
                              display_name = {officer_display_name("o")}
        FROM officers o
        WHERE o.id = $1 AND a.officer_id = o.id AND a.created_by_line_sign_in
          AND (a.role, a.province_code, a.station_id, a.display_name)
              IS DISTINCT FROM ($2, $3, o.station_id, {officer_display_name("o")})
        RETURNING a.id
        """,
        officer_id, role.value, officer.province_code,
    )
    return changed is not None
