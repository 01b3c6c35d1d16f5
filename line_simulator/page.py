"""The developer's LINE simulator: chat with the bot as a citizen, through the real webhook.

The page never talks to the bot directly. Its server side builds the event LINE would send,
signs it with the channel secret and POSTs it over HTTP to this same app's /line/webhook, so the
signature check and the whole path behind it run as in production. The bot answers through the
fake LINE API mounted at /dev/line-api, and the page polls the user's chat log.
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from configuration.settings import Settings
from line_simulator import events, places
from line_simulator.line_platform import FakeLinePlatform

HERE = Path(__file__).parent
LINE_API_PREFIX = "/dev/line-api"
WEBHOOK_PATH = "/line/webhook"
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # LINE's own limit for images

templates = Jinja2Templates(directory=HERE / "templates")


def mount(app: FastAPI, settings: Settings) -> FakeLinePlatform:
    platform = FakeLinePlatform(
        access_token=settings.line_channel_access_token, reply_token_lifetime=timedelta(minutes=1),
        login_channel_id=settings.line_login_channel_id, login_channel_secret=settings.line_login_channel_secret,
    )
    app.include_router(platform.router(), prefix=LINE_API_PREFIX, include_in_schema=False)
    app.include_router(simulator_router(platform, settings.line_channel_secret), prefix="/dev", include_in_schema=False)
    app.mount("/dev/static", StaticFiles(directory=HERE / "static"), name="simulator-static")
    return platform


class NewUser(BaseModel):
    display_name: str = Field(min_length=1, max_length=20, alias="displayName")
    language: Literal["th", "en"] | None = "th"


class TextInput(BaseModel):
    kind: Literal["text"]
    text: str = Field(min_length=1, max_length=5000)


class StickerInput(BaseModel):
    kind: Literal["sticker"]
    package_id: str = Field(alias="packageId")
    sticker_id: str = Field(alias="stickerId")
    keywords: list[str] | None = None


class ImageInput(BaseModel):
    kind: Literal["image"]
    data_base64: str = Field(alias="dataBase64")
    content_type: str = Field("image/jpeg", alias="contentType", pattern=r"^image/[\w.+-]+$")


class LocationInput(BaseModel):
    kind: Literal["location"]
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    title: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=100)


class PostbackInput(BaseModel):
    kind: Literal["postback"]
    data: str = Field(max_length=300)
    display_text: str | None = Field(None, alias="displayText", max_length=300)
    params: dict[str, str] | None = None


class FollowInput(BaseModel):
    kind: Literal["follow", "unfollow"]


UserInput = Annotated[
    TextInput | StickerInput | ImageInput | LocationInput | PostbackInput | FollowInput, Field(discriminator="kind")
]


class SendRequest(BaseModel):
    user_id: str = Field(alias="userId")
    input: UserInput


class RedeliverRequest(BaseModel):
    user_id: str = Field(alias="userId")


def simulator_router(platform: FakeLinePlatform, channel_secret: str) -> APIRouter:
    router = APIRouter()
    last_event: dict[str, dict[str, Any]] = {}

    @router.get("/", response_class=HTMLResponse)
    async def page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            "simulator.html",
            {
                "config": {
                    "presets": places.PRESETS,
                    "cities": places.CITIES,
                    "stickers": places.STICKERS,
                }
            },
        )

    @router.get("/simulator/users")
    async def list_users() -> list[dict[str, Any]]:
        return [_user_json(user) for user in platform.users.values()]

    @router.post("/simulator/users", status_code=201)
    async def create_user(new_user: NewUser) -> dict[str, Any]:
        return _user_json(platform.add_user(display_name=new_user.display_name, language=new_user.language))

    @router.get("/simulator/chat/{user_id}")
    async def chat(user_id: str, after: int = 0, wait: float = Query(0, ge=0, le=25),
                   sender: Literal["user", "bot"] | None = None) -> dict[str, Any]:
        """The chat after entry `after` (only `sender`'s entries, if given); with `wait`, hold the
        request up to that many seconds until there is something new (long polling)."""
        user = platform.users.get(user_id)
        if user is None:
            raise HTTPException(404, "no such simulated user")
        entries = await platform.wait_for_chat(user_id, after, wait, sender)
        return {"user": _user_json(user), "entries": [entry.to_dict() for entry in entries]}

    @router.get("/simulator/content/{message_id}")
    async def content(message_id: str) -> Response:
        stored = platform.content(message_id)
        if stored is None:
            raise HTTPException(404)
        return Response(stored.data, media_type=stored.content_type)

    @router.post("/simulator/send")
    async def send(request: Request, body: SendRequest) -> dict[str, Any]:
        if body.user_id not in platform.users:
            raise HTTPException(404, "no such simulated user")
        event = _event_for(platform, body.user_id, body.input)
        last_event[body.user_id] = event
        return await _post_to_webhook(request, platform, channel_secret, event)

    @router.post("/simulator/redeliver")
    async def redeliver(request: Request, body: RedeliverRequest) -> dict[str, Any]:
        event = last_event.get(body.user_id)
        if event is None:
            raise HTTPException(404, "nothing to redeliver yet")
        return await _post_to_webhook(request, platform, channel_secret, events.redelivered(event))

    return router


def _event_for(platform: FakeLinePlatform, user_id: str, given: Any) -> dict[str, Any]:
    match given:
        case TextInput():
            return events.text(platform, user_id, given.text)
        case StickerInput():
            return events.sticker(platform, user_id, given.package_id, given.sticker_id, keywords=given.keywords)
        case ImageInput():
            return events.image(platform, user_id, _decode_photo(given.data_base64), given.content_type)
        case LocationInput():
            return events.location(platform, user_id, given.latitude, given.longitude,
                                   title=given.title or None, address=given.address or None)
        case PostbackInput():
            return events.postback(platform, user_id, given.data, display_text=given.display_text,
                                   params=given.params)
        case FollowInput(kind="follow"):
            return events.follow(platform, user_id)
        case _:
            return events.unfollow(platform, user_id)


def _decode_photo(data: str) -> bytes:
    try:
        photo = base64.b64decode(data, validate=True)
    except binascii.Error:
        raise HTTPException(422, "photo is not valid base64") from None
    if not photo or len(photo) > MAX_PHOTO_BYTES:
        raise HTTPException(422, "photo must be between 1 byte and 10 MB")
    return photo


async def _post_to_webhook(request: Request, platform: FakeLinePlatform, channel_secret: str,
                           event: dict[str, Any]) -> dict[str, Any]:
    """Deliver like LINE does: one signed POST to the bot's webhook on this same server."""
    body, headers = events.signed_webhook(platform, [event], channel_secret)
    url = str(request.base_url).rstrip("/") + WEBHOOK_PATH
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise HTTPException(502, f"webhook unreachable: {type(error).__name__}") from None
    return {"webhookStatus": response.status_code, "event": event}


def _user_json(user) -> dict[str, Any]:
    return {
        "userId": user.user_id,
        "displayName": user.display_name,
        "language": user.language,
        "following": user.following,
    }
