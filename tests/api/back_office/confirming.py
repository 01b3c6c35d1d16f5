"""Confirming a consequential back-office action as a person would: the confirmation page names
what will happen and holds the form, its fields as they were typed; confirming sends that form."""

from __future__ import annotations

import html
import re

import httpx

CONFIRM_FORM = re.compile(r'<form method="post" action="([^"]+)" class="confirm-form">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def is_confirmation(page: httpx.Response) -> bool:
    return page.status_code == 200 and CONFIRM_FORM.search(page.text) is not None


async def confirm(http: httpx.AsyncClient, asked: httpx.Response) -> httpx.Response:
    """Sends the confirmation page's form (its button "ยืนยัน"), following where it leads."""
    found = CONFIRM_FORM.search(asked.text)
    assert asked.status_code == 200 and found, "no confirmation was asked"
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(found.group(2))}
    assert fields.get("confirmed") == "yes"
    return await http.post(html.unescape(found.group(1)), data=fields, follow_redirects=True)
