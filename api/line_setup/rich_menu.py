"""Install the bot's rich menu on a LINE channel: the big "report" button and "how to use".

A rich menu cannot ask for a location (only a quick reply can), so it only starts the report;
typing "แจ้งเหตุ" / "report" does the same where no menu is shown.
"""

from __future__ import annotations

import json
from importlib.resources import files

from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob, RichMenuRequest

from domain.settings import Settings

IMAGE_TYPE = "image/png"


def definition() -> RichMenuRequest:
    return RichMenuRequest.from_json(files("api.line_setup").joinpath("rich_menu.json").read_text(encoding="utf-8"))


def image() -> bytes:
    return files("api.line_setup").joinpath("rich_menu.png").read_bytes()


def install_rich_menu(settings: Settings) -> str:
    """Create the menu, upload its image and make it every user's default; returns its id."""
    configuration = Configuration(access_token=settings.line_channel_access_token)
    if not settings.uses_line_itself:
        configuration.host = settings.line_api_base_url
    with ApiClient(configuration) as client:
        api, blob = MessagingApi(client), MessagingApiBlob(client)
        menu = definition()
        api.validate_rich_menu_object(menu)
        rich_menu_id = api.create_rich_menu(menu).rich_menu_id
        blob.set_rich_menu_image(rich_menu_id, body=bytearray(image()), _headers={"Content-Type": IMAGE_TYPE})
        api.set_default_rich_menu(rich_menu_id)
    return rich_menu_id


def describe() -> str:
    return json.dumps(definition().to_dict(), ensure_ascii=False, indent=2)
