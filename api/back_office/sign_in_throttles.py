"""Who is waiting to sign in again after wrong passwords (database.sign_in_throttle), and ending a
wait: the national administrator for every account and unknown username, a province administrator
for their province's accounts. Ending a wait is written to the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.back_office.sessions import CurrentSession, FormSession
from api.back_office.web import page
from database import audit, sign_in_throttle
from database.provinces import province_of_account
from domain.accounts import Account, AccountRole

router = APIRouter(prefix="/office", include_in_schema=False)


def _province_of(account: Account) -> str | None:
    """Whose waits the administrator sees: None for every one."""
    if not account.is_administrator:
        raise HTTPException(403, "หน้านี้สำหรับผู้ดูแลระบบ — for administrators")
    return None if account.role == AccountRole.SUPERADMIN else account.province_code


@router.get("/sign-in-throttles")
async def throttles(request: Request, session: CurrentSession) -> Response:
    province = _province_of(session.account)
    async with request.app.state.pool.acquire() as connection:
        waiting = await sign_in_throttle.waiting(connection, province)
    return page(request, "sign_in_throttles.html", waiting=waiting, free_failures=sign_in_throttle.FREE_FAILURES,
                cleared=request.query_params.get("cleared"))


@router.post("/sign-in-throttles/clear")
async def clear(request: Request, session: FormSession, username: Annotated[str, Form(max_length=64)],
                client: Annotated[str, Form(max_length=100)]) -> Response:
    account = session.account
    province = _province_of(account)
    async with request.app.state.pool.acquire() as connection:
        if province is not None and await province_of_account(connection, username) != province:
            raise HTTPException(404, "ไม่พบบัญชีนี้ในจังหวัดของท่าน — no such account in your province")
        if await sign_in_throttle.clear(connection, username, client):
            await audit.record(connection, "SIGN_IN_THROTTLE_CLEARED", account=account, username=username,
                               client=client)
    return RedirectResponse("/office/sign-in-throttles?cleared=1", status_code=303)
