"""A photo's link for an officer's LINE chat is the permission to see it: for that photo, until its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from domain.attachment_links import LINK_LIFETIME, attachment_link, link_is_valid

SECRET = "a-pseudonym-key-of-at-least-32-bytes!"
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


def parts(link: str) -> tuple[int, int, str]:
    url = urlsplit(link)
    query = parse_qs(url.query)
    return int(url.path.rsplit("/", 1)[1]), int(query["expires"][0]), query["signature"][0]


def test_a_link_opens_its_photo_until_it_expires() -> None:
    link = attachment_link("https://ess.example.org/", 42, NOW, SECRET)
    assert link.startswith("https://ess.example.org/line/attachments/42?")
    attachment_id, expires, signature = parts(link)
    assert link_is_valid(attachment_id, expires, signature, NOW + LINK_LIFETIME - timedelta(seconds=1), SECRET)
    assert not link_is_valid(attachment_id, expires, signature, NOW + LINK_LIFETIME + timedelta(seconds=1), SECRET)


def test_a_link_opens_no_other_photo_nor_a_later_time_nor_under_another_key() -> None:
    attachment_id, expires, signature = parts(attachment_link("https://ess.example.org", 42, NOW, SECRET))
    assert not link_is_valid(43, expires, signature, NOW, SECRET)
    assert not link_is_valid(attachment_id, expires + 3600, signature, NOW, SECRET)
    assert not link_is_valid(attachment_id, expires, signature, NOW, SECRET + "x")
    another_signature = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert not link_is_valid(attachment_id, expires, another_signature, NOW, SECRET)
