"""Errors on the back office's pages answer a page in its own look, Thai first, with a way back,
under the same status code; the JSON API, the webhook and the codec keep answering JSON.

A refusal's text is written "Thai — English" where it is raised; the page shows the reader's
language. A request FastAPI could not read (a form field missing or of the wrong type) is told in
words, never as the validator's JSON. An unexpected error shows no detail at all."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.back_office.sessions import SESSION_COOKIE
from api.back_office.web import page
from database.sessions import current_session

log = logging.getLogger(__name__)

OFFICE_PREFIX = "/office"
# What each status means to the reader when the refusal itself says nothing more (Thai, English).
GENERAL_MEANING: dict[int, tuple[str, str]] = {
    400: ("คำขอไม่ถูกต้อง", "The request is not valid"),
    401: ("กรุณาเข้าสู่ระบบ", "Please sign in"),
    403: ("ท่านไม่มีสิทธิ์เปิดหน้านี้", "You may not open this page"),
    404: ("ไม่พบหน้านี้", "This page does not exist"),
    405: ("หน้านี้ไม่รับคำขอแบบนี้", "This page does not take this kind of request"),
    409: ("ทำรายการนี้ไม่ได้ในขณะนี้", "This cannot be done now"),
    413: ("ข้อมูลที่ส่งมาใหญ่เกินไป", "What was sent is too large"),
    422: ("ข้อมูลที่กรอกไม่ถูกต้อง", "What was filled in is not valid"),
    429: ("มีคำขอมากเกินไป กรุณารอสักครู่", "Too many requests; please wait a moment"),
    500: ("ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง", "Something went wrong on our side; please try again"),
    503: ("ระบบไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่อีกครั้ง", "The service is briefly unavailable; please try again"),
}
INVALID_FORM = ("ข้อมูลในแบบฟอร์มไม่ครบหรือไม่ถูกต้อง กรุณากลับไปแก้ไขแล้วส่งอีกครั้ง",
                "The form was incomplete or not valid; go back, correct it and send it again")


def is_back_office_page(request: Request) -> bool:
    """A page of the back office; its data for scripts (the map's cases.json) keeps answering JSON."""
    path = request.url.path
    return (path == OFFICE_PREFIX or path.startswith(OFFICE_PREFIX + "/")) and not path.endswith(".json")


def in_both_languages(detail: object, status_code: int) -> tuple[str, str]:
    """(Thai, English) of a refusal's text written "Thai — English"; a text in one language is shown
    under the status's general meaning in the other."""
    general = GENERAL_MEANING.get(status_code, GENERAL_MEANING[500 if status_code >= 500 else 400])
    if not isinstance(detail, str) or not detail.strip():
        return general
    thai, separator, english = detail.partition(" — ")
    if separator:
        return thai.strip(), english.strip()
    return (detail, general[1]) if any("\u0e00" <= ch <= "\u0e7f" for ch in detail) else (general[0], detail)


async def _with_session(request: Request) -> None:
    """The header shows the reader's menus when they are signed in (a 404 never ran the page's check)."""
    if getattr(request.state, "session", None) is not None:
        return
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return
    try:
        async with request.app.state.pool.acquire() as connection:
            request.state.session = await current_session(connection, token)
    except Exception:  # the page must still answer; the header then shows no menus
        log.warning("the error page could not read the session")


def error_page(request: Request, status_code: int, message: tuple[str, str],
               headers: Mapping[str, str] | None = None) -> Response:
    response = page(request, "error.html", status_code=status_code, message=message,
                    general=GENERAL_MEANING.get(status_code), error_status=status_code)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def mount_error_pages(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, error: StarletteHTTPException) -> Response:
        if not is_back_office_page(request):
            return await http_exception_handler(request, error)
        await _with_session(request)
        return error_page(request, error.status_code, in_both_languages(error.detail, error.status_code),
                          error.headers)

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, error: RequestValidationError) -> Response:
        if not is_back_office_page(request):
            return await request_validation_exception_handler(request, error)
        await _with_session(request)
        return error_page(request, 422, INVALID_FORM)

    @app.exception_handler(Exception)
    async def failed(request: Request, error: Exception) -> Response:
        # Starlette logs the error itself after this answer; nothing of it goes to the page.
        if not is_back_office_page(request):
            return PlainTextResponse("Internal Server Error", status_code=500)
        return error_page(request, 500, GENERAL_MEANING[500])
