"""Rich menus as LINE keeps them: checked against LINE's rules on create, one image each whose size
must match the menu's, and one default menu for every user."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from linebot.v3.messaging import RichMenuRequest

from line_simulator.body_checks import validated
from line_simulator.errors import LineError
from line_simulator.image_size import image_size
from line_simulator.messaging import StoredContent

# LINE's rich menu object and its image.
_REQUIRED = ("size", "selected", "name", "chatBarText", "areas")
_MAX_AREAS = 20
_WIDTH = range(800, 2501)
_MIN_HEIGHT = 250
_MIN_RATIO = 1.45
_ACTION_TEXT = 300
_IMAGE_TYPES = ("image/png", "image/jpeg")
_MAX_IMAGE_BYTES = 1024 * 1024


@dataclass
class StoredRichMenu:
    rich_menu_id: str
    definition: dict[str, Any]  # the rich menu object as the bot sent it
    image: StoredContent | None = None


@dataclass
class RichMenus:
    menus: dict[str, StoredRichMenu] = field(default_factory=dict)
    default_id: str | None = None

    def clear(self) -> None:
        self.menus.clear()
        self.default_id = None

    # ---- the endpoints: (request, raw body, path parameters) → LINE's answer ---------------

    def validate(self, request: Request, raw: bytes) -> Response:
        validated(RichMenuRequest, raw, rich_menu_problems)
        return JSONResponse({})

    def create(self, request: Request, raw: bytes) -> Response:
        body = validated(RichMenuRequest, raw, rich_menu_problems)
        rich_menu_id = "richmenu-" + secrets.token_hex(16)
        self.menus[rich_menu_id] = StoredRichMenu(rich_menu_id, body)
        return JSONResponse({"richMenuId": rich_menu_id})

    def delete(self, request: Request, raw: bytes, rich_menu_id: str) -> Response:
        if self.menus.pop(rich_menu_id, None) is None:
            raise LineError(404, "Not found")
        if self.default_id == rich_menu_id:
            self.default_id = None
        return JSONResponse({})

    def upload_image(self, request: Request, raw: bytes, rich_menu_id: str) -> Response:
        menu = self.menus.get(rich_menu_id)
        if menu is None:
            raise LineError(404, "Not found")
        if menu.image is not None:
            raise LineError(400, "An image has already been uploaded to the richmenu")
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type not in _IMAGE_TYPES:
            raise LineError(400, "The content type must be image/jpeg or image/png")
        if len(raw) > _MAX_IMAGE_BYTES:
            raise LineError(400, "The image is larger than 1 MB")
        size = image_size(raw, content_type)
        if size is None:
            raise LineError(400, f"The body is not a readable {content_type} image")
        wanted = (menu.definition["size"]["width"], menu.definition["size"]["height"])
        if size != wanted:
            raise LineError(400, f"The image size {size[0]}x{size[1]} must match the rich menu size "
                                 f"{wanted[0]}x{wanted[1]}")
        menu.image = StoredContent(raw, content_type)
        return JSONResponse({})

    def set_default(self, request: Request, raw: bytes, rich_menu_id: str) -> Response:
        menu = self.menus.get(rich_menu_id)
        if menu is None:
            raise LineError(404, "Not found")
        if menu.image is None:
            raise LineError(400, "An image must be uploaded before the rich menu is used")
        self.default_id = rich_menu_id
        return JSONResponse({})

    def get_default(self, request: Request, raw: bytes) -> Response:
        if self.default_id is None:
            raise LineError(404, "no default richmenu")
        return JSONResponse({"richMenuId": self.default_id})


def rich_menu_problems(body: dict[str, Any]) -> Iterator[dict[str, str]]:
    """Every rule of LINE's for rich menu objects that the body breaks, as LINE details them."""
    missing = [name for name in _REQUIRED if body.get(name) is None]
    for name in missing:
        yield {"message": "must be specified", "property": name}
    if missing:
        return
    width, height = body["size"].get("width"), body["size"].get("height")
    if width not in _WIDTH:
        yield {"message": "must be between 800 and 2500", "property": "size.width"}
    if not isinstance(height, int) or height < _MIN_HEIGHT:
        yield {"message": f"must be at least {_MIN_HEIGHT}", "property": "size.height"}
    elif isinstance(width, int) and width / height < _MIN_RATIO:
        yield {"message": f"width / height must be at least {_MIN_RATIO}", "property": "size"}
    if len(body["areas"]) > _MAX_AREAS:
        yield {"message": f"Size must be between 0 and {_MAX_AREAS}", "property": "areas"}
    for index, area in enumerate(body["areas"]):
        where = f"areas[{index}]"
        bounds, action = area.get("bounds"), area.get("action")
        if not bounds or not action:
            yield {"message": "must be specified", "property": where + (".bounds" if not bounds else ".action")}
            continue
        if (bounds.get("x", 0) + bounds.get("width", 0) > (width or 0)
                or bounds.get("y", 0) + bounds.get("height", 0) > (height or 0)):
            yield {"message": "must lie inside the rich menu", "property": f"{where}.bounds"}
        for key in ("data", "displayText", "text"):
            if len(action.get(key) or "") > _ACTION_TEXT:
                yield {"message": f"Length must be between 0 and {_ACTION_TEXT}",
                       "property": f"{where}.action.{key}"}
