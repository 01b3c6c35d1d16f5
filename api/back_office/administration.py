"""Administration: user accounts, officers' and team members' LINE registration codes, the directory
import, the incident types and their escalation ladders, the audit log, and one's own password.

National administrators manage everything; province administrators manage their province's
accounts and officers. Every change is written to the audit log."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from api.back_office.audit_words import action_words, detail_words
from api.back_office.filter_days import PROBLEM_STATUS, DayText, FilterProblem, read_day
from api.back_office.sessions import SESSION_COOKIE, CurrentSession, FormSession
from api.back_office.sign_in import record_refusal, wait_problem, waiting
from api.back_office.web import page
from api.client_address import client_address
from database import account_directory, audit, incident_types, provinces, service_levels
from database.accounts import AccountRefused, create_account, disable_account, set_password
from database.directory.importing import import_directory
from database.directory.sheets import read_workbook
from database.officer_codes import DEFAULT_VALIDITY, issue_registration_code, issue_team_registration_code
from database.risk_questions import risk_questions, save_risk_question
from database.sessions import Refused, SignInRefusal, checked_password, session_key
from domain.accounts import Account, AccountRole
from domain.models import Audience
from domain.risk import RiskLevel, RiskQuestion
from rendering.audience_labels import AUDIENCE_LABELS
from rendering.team_labels import RISK_LEVEL_LABELS

router = APIRouter(prefix="/office", include_in_schema=False)

ADMINISTRATORS_ONLY = "หน้านี้สำหรับผู้ดูแลระบบ — for administrators"
NATIONAL_ONLY = "สำหรับผู้ดูแลระบบส่วนกลาง — for the national administrator"
# What a province administrator may create: every role but the national one, in their province.
PROVINCE_ROLES = [AccountRole.PROVINCE_ADMIN, AccountRole.CENTRE_OPERATOR, AccountRole.STATION_OFFICER,
                  AccountRole.TEAM_MEMBER]
AUDIT_PAGE = 200
# The audit log in words (audit_words).
AUDIT_WORDS: dict[str, Any] = {"action_words": action_words, "detail_words": detail_words}
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _administrator(account: Account) -> None:
    if not account.is_administrator:
        raise HTTPException(403, ADMINISTRATORS_ONLY)


def _national(account: Account) -> None:
    if account.role != AccountRole.SUPERADMIN:
        raise HTTPException(403, NATIONAL_ONLY)


def _outside_area(account: Account, province_code: str | None) -> bool:
    """A province administrator manages their own province's people only."""
    return account.role != AccountRole.SUPERADMIN and province_code != account.province_code


# --- accounts ------------------------------------------------------------------------------------


async def _accounts_page(request: Request, account: Account, *, status_code: int = 200, notice=None,
                         problem=None, issued_code: tuple[str, str] | None = None, import_report=None) -> Response:
    async with request.app.state.pool.acquire() as connection:
        accounts = await account_directory.listed_accounts(
            connection, every_province=account.role == AccountRole.SUPERADMIN, province_code=account.province_code)
        every_province = await provinces.all_provinces(connection)
    roles = list(AccountRole) if account.role == AccountRole.SUPERADMIN else PROVINCE_ROLES
    return page(request, "accounts.html", status_code=status_code, accounts=accounts, roles=roles,
                provinces=every_province, notice=notice, problem=problem, issued_code=issued_code,
                import_report=import_report)


@router.get("/accounts")
async def accounts(request: Request, session: CurrentSession) -> Response:
    _administrator(session.account)
    return await _accounts_page(request, session.account)


@router.post("/accounts")
async def create(
    request: Request, session: FormSession,
    username: Annotated[str, Form(max_length=64)], display_name: Annotated[str, Form(max_length=200)],
    role: Annotated[AccountRole, Form()], password: Annotated[str, Form(max_length=256)],
    province_code: Annotated[str, Form(max_length=2)] = "", station_code: Annotated[str, Form(max_length=64)] = "",
    officer_code: Annotated[str, Form(max_length=64)] = "",
    team_member_code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    account = session.account
    _administrator(account)
    if account.role != AccountRole.SUPERADMIN:
        if role not in PROVINCE_ROLES:
            raise HTTPException(403, NATIONAL_ONLY)
        province_code = account.province_code or ""
    async with request.app.state.pool.acquire() as connection:
        try:
            # A province administrator's accounts are in their province: create_account refuses a
            # station, an officer or a team member of another one, or the national desk's (no province).
            account_id = await create_account(
                connection, username=username, display_name=display_name.strip() or username, password=password,
                role=role, province_code=province_code or None, station_code=station_code or None,
                officer_code=officer_code or None, team_member_code=team_member_code.strip() or None)
        except AccountRefused as refusal:
            return await _accounts_page(request, account, status_code=422, problem=str(refusal))
        await audit.record(connection, "ACCOUNT_CREATED", account=account, created_account_id=account_id,
                           username=username.strip().lower(), role=role.value)
    return RedirectResponse("/office/accounts?created=1", status_code=303)


@router.post("/accounts/{account_id}/disable")
async def disable(request: Request, session: FormSession, account_id: int) -> Response:
    account = session.account
    _administrator(account)
    async with request.app.state.pool.acquire() as connection:
        target = await account_directory.account_by_id(connection, account_id)
        if target is None or _outside_area(account, target["province_code"]):
            raise HTTPException(404, "ไม่พบบัญชีนี้ — no such account")
        if account_id == account.account_id:
            raise HTTPException(409, "ปิดบัญชีของตนเองไม่ได้ — you cannot disable your own account")
        await disable_account(connection, target["username"])
        await audit.record(connection, "ACCOUNT_DISABLED", account=account, disabled_account_id=account_id)
    return RedirectResponse("/office/accounts", status_code=303)


@router.post("/accounts/registration-code")
async def registration_code(request: Request, session: FormSession,
                            officer_code: Annotated[str, Form(max_length=64)]) -> Response:
    """A one-time code for an officer to type in LINE; shown once, here."""
    account = session.account
    _administrator(account)
    async with request.app.state.pool.acquire() as connection:
        province = await provinces.province_of_officer(connection, officer_code.strip())
        if province is None or _outside_area(account, province):
            return await _accounts_page(request, account, status_code=404,
                                        problem="ไม่พบเจ้าหน้าที่รหัสนี้ในพื้นที่ของท่าน — no such officer in your area")
        code = await issue_registration_code(connection, officer_code.strip(), DEFAULT_VALIDITY)
        await audit.record(connection, "REGISTRATION_CODE_ISSUED", account=account, officer_code=officer_code.strip())
    return await _accounts_page(request, account, issued_code=(officer_code.strip(), code))


@router.post("/accounts/team-registration-code")
async def team_registration_code(request: Request, session: FormSession,
                                 member_code: Annotated[str, Form(max_length=64)]) -> Response:
    """A one-time code for a multidisciplinary team member to type in LINE; shown once, here."""
    account = session.account
    _administrator(account)
    member_code = member_code.strip()
    async with request.app.state.pool.acquire() as connection:
        member = await provinces.active_team_member(connection, member_code)
        if member is None or _outside_area(account, member["province_code"]):
            return await _accounts_page(request, account, status_code=404,
                                        problem="ไม่พบสมาชิกทีมสหวิชาชีพรหัสนี้ในพื้นที่ของท่าน — no such team member in your area")
        code = await issue_team_registration_code(connection, member_code, DEFAULT_VALIDITY)
        await audit.record(connection, "REGISTRATION_CODE_ISSUED", account=account, team_member_code=member_code)
    return await _accounts_page(request, account, issued_code=(member_code, code))


@router.post("/accounts/import")
async def import_officers(request: Request, session: FormSession, workbook: UploadFile) -> Response:
    """The directory import (stations, officers, team members, agencies) from an Excel workbook: all rows or none."""
    account = session.account
    _national(account)
    content = await workbook.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        return await _accounts_page(request, account, status_code=413, problem="ไฟล์ใหญ่เกิน 10 MB — over 10 MB")
    try:
        stations, officers, team_members, agencies = read_workbook(io.BytesIO(content))
    except Exception:
        return await _accounts_page(request, account, status_code=422,
                                    problem="อ่านไฟล์ไม่ได้ ต้องเป็น .xlsx — not a readable .xlsx workbook")
    async with request.app.state.pool.acquire() as connection:
        report = await import_directory(connection, stations, officers, team_members, agencies)
        await audit.record(connection, "DIRECTORY_IMPORTED" if report.imported else "DIRECTORY_IMPORT_REFUSED",
                           account=account, problems=len(report.problems), officers_created=report.officers_created,
                           stations_created=report.stations_created,
                           team_members_created=report.team_members_created,
                           agencies_created=report.agencies_created)
    return await _accounts_page(request, account, status_code=200 if report.imported else 422, import_report=report)


# --- incident types and their escalation ladders ---------------------------------------------------


@router.get("/settings")
async def settings_page(request: Request, session: CurrentSession, saved: str | None = None) -> Response:
    _administrator(session.account)
    return await _settings(request, session.account, notice=saved)


async def _settings(request: Request, account: Account, *, status_code: int = 200, notice=None, problem=None):
    async with request.app.state.pool.acquire() as connection:
        types = await incident_types.incident_types(connection)
        levels = await service_levels.service_levels(connection)
        questions = await risk_questions(connection)
    return page(request, "settings.html", status_code=status_code, types=types, audiences=list(Audience),
                audience_labels=AUDIENCE_LABELS, questions=questions, risk_levels=list(RiskLevel),
                risk_level_labels=RISK_LEVEL_LABELS,
                levels=levels, editable=account.role == AccountRole.SUPERADMIN, notice=notice, problem=problem)


@router.post("/settings/service-levels/{code}")
async def save_service_level(request: Request, session: FormSession, code: str,
                             minutes: Annotated[str, Form(max_length=6)]) -> Response:
    account = session.account
    _national(account)
    if not minutes.strip().isdigit() or not 1 <= int(minutes) <= 43200:
        return await _settings(request, account, status_code=422,
                               problem=f"{code}: นาทีต้องอยู่ระหว่าง 1–43200 — minutes must be 1–43200")
    async with request.app.state.pool.acquire() as connection:
        before = await service_levels.set_minutes(connection, code, int(minutes))
        if before is None:
            raise HTTPException(404, "ไม่พบค่านี้ — no such service level")
        await audit.record(connection, "SETTINGS_CHANGED", account=account, service_level=code,
                           before={"minutes": before}, after={"minutes": int(minutes)})
    return RedirectResponse(f"/office/settings?saved={code}", status_code=303)


@router.post("/settings/incident-types/{code}")
async def save_incident_type(request: Request, session: FormSession, code: str) -> Response:
    """Labels, order, active and the escalation ladder: they apply to cases opened from now on."""
    account = session.account
    _national(account)
    form = await request.form()
    try:
        ladder = _ladder_from(form)
        label_th, label_en = str(form.get("label_th", "")).strip(), str(form.get("label_en", "")).strip()
        sort_order = int(str(form.get("sort_order", "0")))
        if not label_th or not label_en:
            raise ValueError("ต้องมีชื่อภาษาไทยและภาษาอังกฤษ — both labels are needed")
    except ValueError as problem:
        return await _settings(request, account, status_code=422, problem=f"{code}: {problem}")
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        before = await incident_types.save_incident_type(
            connection, code, label_th=label_th, label_en=label_en, sort_order=sort_order,
            active="active" in form, escalation=ladder)
        await audit.record(connection, "SETTINGS_CHANGED", account=account, incident_type=code,
                           before=dict(before) if before else None,
                           after={"label_th": label_th, "label_en": label_en, "sort_order": sort_order,
                                  "active": "active" in form, "escalation": ladder})
    return RedirectResponse(f"/office/settings?saved={code}", status_code=303)


@router.post("/settings/risk-questions")
async def save_risk_question_form(request: Request, session: FormSession,
                                  code: Annotated[str, Form(max_length=40)],
                                  text_th: Annotated[str, Form(max_length=300)],
                                  text_en: Annotated[str, Form(max_length=300)],
                                  raises_to: Annotated[str, Form(max_length=10)],
                                  position: Annotated[str, Form(max_length=6)] = "0",
                                  active: Annotated[str, Form(max_length=8)] = "") -> Response:
    """A question of the risk assessment, new or rewritten; assessments already made keep the words
    they were asked in. A question is retired, never deleted."""
    account = session.account
    _national(account)
    try:
        question = RiskQuestion(code=code.strip().upper(), text_th=text_th.strip(), text_en=text_en.strip(),
                                raises_to=RiskLevel(raises_to), position=int(position or "0"), active=bool(active))
    except ValueError:  # pydantic's ValidationError is one
        return await _settings(request, account, status_code=422, problem=(
            "คำถามไม่ถูกต้อง: รหัสเป็นอักษรอังกฤษตัวใหญ่ ตัวเลข หรือ _ ต้องมีข้อความทั้งสองภาษาและระดับความเสี่ยง"
            " — a question needs a code (A–Z, 0–9, _), both texts and the level a yes calls for"))
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        before = await save_risk_question(connection, question)
        await audit.record(connection, "SETTINGS_CHANGED", account=account, risk_question=question.code,
                           before=before.model_dump(mode="json") if before else None,
                           after=question.model_dump(mode="json"))
    return RedirectResponse(f"/office/settings?saved={question.code}", status_code=303)


def _ladder_from(form) -> list[dict]:
    """Rungs from the form's rows (rung-N-minutes and rung-N-audience checkboxes); empty rows are
    skipped. Someone must be alerted the moment a case opens, so the first rung is at 0 minutes."""
    rungs: list[dict[str, Any]] = []
    for n in range(10):
        minutes = str(form.get(f"rung-{n}-minutes", "")).strip()
        audiences = [a.value for a in Audience if form.get(f"rung-{n}-{a.value}")]
        if not minutes and not audiences:
            continue
        if not minutes.isdigit() or int(minutes) > 24 * 60:
            raise ValueError("นาทีต้องเป็นจำนวนเต็ม 0–1440 — minutes must be a whole number 0–1440")
        if not audiences:
            raise ValueError("ทุกขั้นต้องมีผู้รับแจ้ง — every rung needs someone to alert")
        rungs.append({"after": int(minutes) * 60, "audiences": audiences})
    rungs.sort(key=lambda rung: rung["after"])
    if not rungs or rungs[0]["after"] != 0:
        raise ValueError("ขั้นแรกต้องเป็น 0 นาที — the first rung must be at 0 minutes")
    return rungs


# --- the audit log -------------------------------------------------------------------------------


@router.get("/audit")
async def audit_log(
    request: Request, session: CurrentSession,
    action: Annotated[str | None, Query(max_length=40)] = None,
    case_no: Annotated[str | None, Query(max_length=40)] = None,
    username: Annotated[str | None, Query(max_length=64)] = None,
    day: DayText = None,
) -> Response:
    _national(session.account)
    try:
        chosen_day = read_day(day)
    except FilterProblem as problem:
        return page(request, "audit.html", status_code=PROBLEM_STATUS, **AUDIT_WORDS,
                    problem=str(problem), entries=[], actions=[],
                    action=action or "", case_no=case_no or "", username=username or "", day=None, limit=AUDIT_PAGE)
    async with request.app.state.pool.acquire() as connection:
        entries = await audit.entries(connection, action=action, case_no=case_no, username=username,
                                          day=chosen_day, limit=AUDIT_PAGE)
        actions = await audit.actions(connection)
    return page(request, "audit.html", **AUDIT_WORDS, entries=entries,
                actions=actions, action=action or "", case_no=case_no or "",
                username=username or "", day=chosen_day, limit=AUDIT_PAGE)


# --- one's own password ----------------------------------------------------------------------------


@router.get("/password")
async def password_form(request: Request, session: CurrentSession) -> Response:
    return page(request, "password.html", problem=None, done=False)


@router.post("/password")
async def change_password(request: Request, session: FormSession, current: Annotated[str, Form(max_length=256)],
                          new: Annotated[str, Form(max_length=256)]) -> Response:
    """A wrong current password counts as a failed sign-in of the account (the same throttle); a new
    password ends the account's other sessions, this one stays."""
    account = session.account
    client = client_address(request)
    pool = request.app.state.pool
    checked = await checked_password(pool, account.username, current, client,
                                     request.app.state.settings.sign_in_failures_per_minute)
    async with pool.acquire() as connection:
        if isinstance(checked, Refused):
            await record_refusal(connection, checked, "PASSWORD_CHANGE_REFUSED", account.username, client, account)
            if checked.reason == SignInRefusal.THROTTLED:
                return waiting(page(request, "password.html", status_code=429, done=False,
                                    problem=" — ".join(wait_problem(checked))), checked)
            return page(request, "password.html", status_code=403, done=False,
                        problem="รหัสผ่านปัจจุบันไม่ถูกต้อง — the current password is wrong")
        try:
            changed = await set_password(connection, account.username, new,
                                         keeping_session=session_key(request.cookies.get(SESSION_COOKIE, "")))
        except AccountRefused as refusal:
            return page(request, "password.html", status_code=422, done=False, problem=str(refusal))
        await audit.record(connection, "PASSWORD_CHANGED", account=account,
                           other_sessions_ended=changed.sessions_ended if changed else 0)
    return page(request, "password.html", problem=None, done=True)
