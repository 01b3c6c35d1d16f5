"""Links in LINE messages that open a back-office page: through LINE Login, so the officer or team
member who taps one lands on the page signed in (api/back_office/line_login.py)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

LINE_LOGIN_PATH = "/office/line-login"


def case_page_path(case_no: str) -> str:
    return f"/office/cases/{quote(case_no, safe='')}"


def signed_in_link(public_url: str, path: str) -> str:
    """The address that signs its reader in with LINE, then opens `path` (a back-office page)."""
    return public_url.rstrip("/") + LINE_LOGIN_PATH + "?" + urlencode({"next": path}, safe="/")
