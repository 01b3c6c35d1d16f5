"""Install the bot's rich menu on a LINE channel: the big "report" button and "how to use".

A rich menu cannot ask for a location (only a quick reply can), so it only starts the report;
typing "แจ้งเหตุ" / "report" does the same where no menu is shown.
"""

from __future__ import annotations

import json
from importlib.resources import files

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
)
from urllib3.exceptions import HTTPError as ConnectionProblem

from configuration.settings import Settings

IMAGE_TYPE = "image/png"


class RichMenuInstallError(RuntimeError):
    """A step failed; the message says which step and what LINE answered (never the token)."""


def definition() -> RichMenuRequest:
    return RichMenuRequest.from_json(files("tools.line_setup").joinpath("rich_menu.json").read_text(encoding="utf-8"))


def image() -> bytes:
    return files("tools.line_setup").joinpath("rich_menu.png").read_bytes()


def install_rich_menu(settings: Settings) -> str:
    """Create the menu, upload its image and make it every user's default; returns its id.

    A menu that was created but could not be finished is deleted again, so a failed install
    leaves no half-made menu behind (unless LINE also refuses the delete; the error then says so)."""
    with ApiClient(_configuration(settings)) as client:
        api, blob = MessagingApi(client), MessagingApiBlob(client)
        menu = definition()
        _step("validate the rich menu", lambda: api.validate_rich_menu_object(menu))
        rich_menu_id = _step("create the rich menu", lambda: api.create_rich_menu(menu).rich_menu_id)
        try:
            _step("upload the rich menu's image", lambda: blob.set_rich_menu_image(
                rich_menu_id, body=image(), _headers={"Content-Type": IMAGE_TYPE}))
            _step("make the rich menu the default", lambda: api.set_default_rich_menu(rich_menu_id))
        except RichMenuInstallError as error:
            try:
                api.delete_rich_menu(rich_menu_id)
            except (ApiException, ConnectionProblem) as cleanup:
                raise RichMenuInstallError(
                    f"{error}; the unfinished rich menu {rich_menu_id} could not be deleted "
                    f"({_answer(cleanup)})") from error
            raise
    return rich_menu_id


def _configuration(settings: Settings) -> Configuration:
    if settings.uses_line_itself:
        # No host: each call goes to its own LINE host (the image upload lives on api-data).
        return Configuration(access_token=settings.line_channel_access_token)
    # A stand-in serves every call; `host` is read-only once the configuration exists.
    return Configuration(access_token=settings.line_channel_access_token,
                         host=settings.line_api_base_url.rstrip("/"))


def _step(name: str, call):
    try:
        return call()
    except (ApiException, ConnectionProblem) as error:
        raise RichMenuInstallError(f"could not {name}: LINE answered {_answer(error)}") from None


def _answer(error: Exception) -> str:
    """"401 Authentication failed...": LINE's status and message, without headers or the request."""
    if not isinstance(error, ApiException):
        return f"nothing, it could not be reached ({type(error).__name__})"
    try:
        message = json.loads(error.body or "{}").get("message")
    except (ValueError, AttributeError):
        message = None
    return f"{error.status} {message or error.reason or ''}".strip()


def describe() -> str:
    return json.dumps(definition().to_dict(), ensure_ascii=False, indent=2)
