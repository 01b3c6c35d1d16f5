"""GET /line/attachments/{id}: the photo behind an officer's LINE image message, for whoever holds
its signed link while it lasts, and for no one else; every fetch is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from domain.attachment_links import LINK_LIFETIME, attachment_link
from tests.api.conftest import RunningApi
from tests.scene import Scene

PHOTO = b"\xff\xd8\xff a reporter's photo"


async def photo_of(scene: Scene, pool: asyncpg.Pool) -> tuple[str, int]:
    case = await scene.recorded_case()
    attachment_id = await pool.fetchval(
        """INSERT INTO case_attachments (case_no, event_key, line_message_id, content_type, content, received_at)
           VALUES ($1, $2, 'm1', 'image/jpeg', $3, now()) RETURNING id""",
        case.case_no, f"{case.case_no}:photo", PHOTO)
    return case.case_no, attachment_id


def path_of(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1]


async def test_the_signed_link_gives_the_photo_and_the_fetch_is_audited(api: RunningApi, scene: Scene,
                                                                         pool: asyncpg.Pool) -> None:
    case_no, attachment_id = await photo_of(scene, pool)
    link = attachment_link(api.settings.public_url, attachment_id, datetime.now(UTC), api.settings.pseudonym_key)
    answer = await api.http.get("/" + path_of(link))
    assert answer.status_code == 200 and answer.content == PHOTO
    assert answer.headers["content-type"] == "image/jpeg"
    audited = await pool.fetchrow("SELECT details FROM audit_log WHERE case_no = $1 AND action = 'ATTACHMENT_VIEWED'",
                                  case_no)
    assert audited["details"] == {"via": "line_link", "attachment_id": attachment_id}


async def test_a_link_expired_altered_or_for_another_photo_gives_nothing(api: RunningApi, scene: Scene,
                                                                          pool: asyncpg.Pool) -> None:
    _, attachment_id = await photo_of(scene, pool)
    key = api.settings.pseudonym_key
    expired = attachment_link(api.settings.public_url, attachment_id, datetime.now(UTC) - LINK_LIFETIME - timedelta(
        minutes=1), key)
    fresh = path_of(attachment_link(api.settings.public_url, attachment_id, datetime.now(UTC), key))
    other_photo = fresh.replace(f"/{attachment_id}?", f"/{attachment_id + 1}?")
    for path in (path_of(expired), other_photo, fresh[:-2], f"line/attachments/{attachment_id}"):
        answer = await api.http.get("/" + path)
        assert answer.status_code in (404, 422), path
        assert PHOTO not in answer.content
