"""The rich menu installer, run against the fake LINE platform (as strict as LINE about rich menus).

The installer uses the SDK's synchronous client, so it runs in a thread while the fake platform
answers on the test's event loop."""

from __future__ import annotations

import asyncio
import os
import struct
import sys
from itertools import combinations
from pathlib import Path

import httpx
import pytest

from configuration.settings import Settings
from domain.postbacks import Postback
from domain.words import HOW_TO_WORDS
from line_simulator.line_platform import StoredRichMenu
from tests.fake_line import FakeLine
from tools.line_setup import rich_menu
from tools.line_setup.rich_menu import RichMenuInstallError, install_rich_menu

PROJECT_ROOT = Path(__file__).resolve().parents[3]


async def install(settings: Settings) -> str:
    return await asyncio.to_thread(install_rich_menu, settings)


def menus_made(fake_line: FakeLine) -> set[str]:
    return set(fake_line.platform.rich_menus)


def png_header(width: int, height: int) -> bytes:
    """The start of a PNG: enough for anyone who reads its size from the IHDR chunk."""
    ihdr = struct.pack(">II5B", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + b"\0\0\0\0"


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, an APP0 segment, then a baseline start-of-frame that holds the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


@pytest.fixture
async def http(fake_line: FakeLine):
    headers = {"authorization": f"Bearer {fake_line.access_token}"}
    async with httpx.AsyncClient(base_url=fake_line.base_url, headers=headers) as client:
        yield client


async def create_menu(http: httpx.AsyncClient) -> str:
    response = await http.post("/v2/bot/richmenu", content=rich_menu.definition().to_json(),
                               headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["richMenuId"]


# ---- the definition ---------------------------------------------------------------------------


def test_the_report_area_starts_a_report_and_the_other_shows_how_to_use():
    report, how_to = rich_menu.definition().areas
    assert report.action.type == "postback"
    assert Postback.decode(report.action.data) == Postback(action="report")
    assert report.action.display_text == "แจ้งเหตุ"
    assert how_to.action.type == "message"
    assert how_to.action.text == "วิธีใช้"
    assert how_to.action.text in HOW_TO_WORDS


def test_every_area_lies_inside_the_menu_and_no_two_overlap():
    menu = rich_menu.definition()
    boxes = [(a.bounds.x, a.bounds.y, a.bounds.x + a.bounds.width, a.bounds.y + a.bounds.height) for a in menu.areas]
    for left, top, right, bottom in boxes:
        assert 0 <= left < right <= menu.size.width
        assert 0 <= top < bottom <= menu.size.height
    for (l1, t1, r1, b1), (l2, t2, r2, b2) in combinations(boxes, 2):
        assert r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, "two tappable areas overlap"


def test_the_image_is_a_png_of_exactly_the_menus_size_and_under_a_megabyte():
    data, size = rich_menu.image(), rich_menu.definition().size
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (size.width, size.height)
    assert len(data) <= 1024 * 1024


# ---- installing -------------------------------------------------------------------------------


async def test_installing_makes_the_menu_uploads_its_image_and_sets_it_as_default(fake_line: FakeLine,
                                                                                  line_settings: Settings):
    rich_menu_id = await install(line_settings)

    platform = fake_line.platform
    assert rich_menu_id.startswith("richmenu-") and len(rich_menu_id) == len("richmenu-") + 32
    menu: StoredRichMenu = platform.rich_menus[rich_menu_id]
    definition = rich_menu.definition().to_dict()
    assert menu.definition["areas"] == definition["areas"]
    assert menu.definition["size"] == {"width": 2500, "height": 843}
    assert menu.definition["chatBarText"] == "แจ้งเหตุ"
    assert menu.image is not None
    assert menu.image.content_type == "image/png"
    assert menu.image.data == rich_menu.image()
    assert platform.default_rich_menu_id == rich_menu_id
    steps = [(r.method, r.path) for r in platform.requests if r.endpoint.startswith("richmenu")][-4:]
    assert steps == [("POST", "/v2/bot/richmenu/validate"), ("POST", "/v2/bot/richmenu"),
                     ("POST", f"/v2/bot/richmenu/{rich_menu_id}/content"),
                     ("POST", f"/v2/bot/user/all/richmenu/{rich_menu_id}")]


async def test_the_installed_menu_is_what_line_reports_as_the_default(fake_line: FakeLine, line_settings: Settings,
                                                                      http: httpx.AsyncClient):
    rich_menu_id = await install(line_settings)
    response = await http.get("/v2/bot/user/all/richmenu")
    assert response.status_code == 200
    assert response.json() == {"richMenuId": rich_menu_id}


async def test_a_bad_access_token_fails_clearly_and_makes_no_menu(fake_line: FakeLine, line_settings: Settings):
    before = menus_made(fake_line)
    default_before = fake_line.platform.default_rich_menu_id
    wrong = line_settings.model_copy(update={"line_channel_access_token": "not-the-channel-token"})

    with pytest.raises(RichMenuInstallError) as failure:
        await install(wrong)

    assert "could not validate the rich menu" in str(failure.value)
    assert "401" in str(failure.value) and "Authentication failed" in str(failure.value)
    assert "not-the-channel-token" not in str(failure.value)
    assert menus_made(fake_line) == before
    assert fake_line.platform.default_rich_menu_id == default_before


@pytest.mark.parametrize("failing_step", ["richmenu_content", "richmenu_default"])
async def test_a_menu_that_cannot_be_finished_is_deleted_again(fake_line: FakeLine, line_settings: Settings,
                                                               failing_step: str):
    before = menus_made(fake_line)
    default_before = fake_line.platform.default_rich_menu_id
    fake_line.platform.fail_next(failing_step, status=500)

    with pytest.raises(RichMenuInstallError, match="500"):
        await install(line_settings)

    assert len(fake_line.platform.requests_to("richmenu_delete")) >= 1
    assert menus_made(fake_line) == before
    assert fake_line.platform.default_rich_menu_id == default_before


async def test_when_the_cleanup_fails_too_the_error_names_the_menu_left_behind(fake_line: FakeLine,
                                                                               line_settings: Settings):
    before = menus_made(fake_line)
    fake_line.platform.fail_next("richmenu_content", status=500)
    fake_line.platform.fail_next("richmenu_delete", status=500)

    with pytest.raises(RichMenuInstallError) as failure:
        await install(line_settings)

    (left_behind,) = menus_made(fake_line) - before
    assert f"the unfinished rich menu {left_behind} could not be deleted" in str(failure.value)
    fake_line.platform.rich_menus.pop(left_behind)  # other tests count the menus


# ---- the fake platform is as strict as LINE about rich menus ----------------------------------


async def test_the_platform_validates_rich_menus_with_lines_rules(http: httpx.AsyncClient):
    good = rich_menu.definition().to_dict()
    assert (await http.post("/v2/bot/richmenu/validate", json=good)).json() == {}
    too_small = {**good, "size": {"width": 500, "height": 843}}
    outside = {**good, "areas": [{**good["areas"][0], "bounds": {"x": 2000, "y": 0, "width": 1000, "height": 843}}]}
    no_name = {key: value for key, value in good.items() if key != "name"}
    long_chat_bar = {**good, "chatBarText": "แจ้งเหตุฉุกเฉินด่วนมากๆ ตอนนี้"}
    for bad in (too_small, outside, no_name, long_chat_bar):
        assert (await http.post("/v2/bot/richmenu/validate", json=bad)).status_code == 400, bad
        assert (await http.post("/v2/bot/richmenu", json=bad)).status_code == 400, bad


async def test_the_image_must_be_a_png_or_jpeg_of_the_menus_size(http: httpx.AsyncClient, fake_line: FakeLine):
    rich_menu_id = await create_menu(http)
    url = f"/v2/bot/richmenu/{rich_menu_id}/content"

    wrong_type = await http.post(url, content=png_header(2500, 843), headers={"content-type": "image/gif"})
    wrong_size = await http.post(url, content=png_header(2500, 1686), headers={"content-type": "image/png"})
    not_png = await http.post(url, content=b"not an image", headers={"content-type": "image/png"})
    too_big = await http.post(url, content=png_header(2500, 843) + bytes(1024 * 1024),
                              headers={"content-type": "image/png"})

    assert [r.status_code for r in (wrong_type, wrong_size, not_png, too_big)] == [400, 400, 400, 400]
    assert "2500x1686" in wrong_size.json()["message"]
    assert fake_line.platform.rich_menus[rich_menu_id].image is None
    jpeg = await http.post(url, content=jpeg_header(2500, 843), headers={"content-type": "image/jpeg"})
    assert jpeg.status_code == 200
    assert fake_line.platform.rich_menus[rich_menu_id].image.content_type == "image/jpeg"


async def test_an_image_is_uploaded_once_and_only_to_a_menu_that_exists(http: httpx.AsyncClient):
    rich_menu_id = await create_menu(http)
    upload = {"content": rich_menu.image(), "headers": {"content-type": "image/png"}}

    assert (await http.post(f"/v2/bot/richmenu/{rich_menu_id}/content", **upload)).status_code == 200
    again = await http.post(f"/v2/bot/richmenu/{rich_menu_id}/content", **upload)
    unknown = await http.post(f"/v2/bot/richmenu/richmenu-{'0' * 32}/content", **upload)

    assert again.status_code == 400
    assert "An image has already been uploaded" in again.json()["message"]
    assert unknown.status_code == 404


async def test_only_a_known_menu_with_an_image_becomes_the_default(http: httpx.AsyncClient, fake_line: FakeLine):
    default_before = fake_line.platform.default_rich_menu_id
    without_image = await create_menu(http)

    assert (await http.post(f"/v2/bot/user/all/richmenu/richmenu-{'0' * 32}")).status_code == 404
    assert (await http.post(f"/v2/bot/user/all/richmenu/{without_image}")).status_code == 400
    assert fake_line.platform.default_rich_menu_id == default_before


async def test_rich_menu_calls_need_the_channel_access_token(fake_line: FakeLine):
    async with httpx.AsyncClient(base_url=fake_line.base_url) as anonymous:
        created = await anonymous.post("/v2/bot/richmenu", json=rich_menu.definition().to_dict())
        default = await anonymous.get("/v2/bot/user/all/richmenu")
    assert (created.status_code, default.status_code) == (401, 401)
    assert fake_line.platform.requests[-1].status == 401


# ---- the command line -------------------------------------------------------------------------


async def run_command(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tools.line_setup", *arguments, cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, stdout.decode(), stderr.decode()


async def test_the_command_installs_the_menu_and_prints_its_id(fake_line: FakeLine):
    code, out, err = await run_command("rich-menu", env={"LINE_API_BASE_URL": fake_line.base_url,
                                                         "LINE_CHANNEL_ACCESS_TOKEN": fake_line.access_token})
    assert code == 0, err
    rich_menu_id = fake_line.platform.default_rich_menu_id
    assert rich_menu_id is not None and rich_menu_id in out


async def test_the_command_with_a_bad_token_exits_1_with_the_reason(fake_line: FakeLine):
    code, out, err = await run_command("rich-menu", env={"LINE_API_BASE_URL": fake_line.base_url,
                                                         "LINE_CHANNEL_ACCESS_TOKEN": "not-the-channel-token"})
    assert code == 1
    assert "401" in err and "Traceback" not in err
    assert "not-the-channel-token" not in err
    assert out == ""


@pytest.mark.parametrize("arguments", [(), ("rich-menus",), ("rich-menu", "extra")])
async def test_wrong_arguments_exit_2_with_usage(arguments: tuple[str, ...]):
    code, out, err = await run_command(*arguments)
    assert code == 2
    assert "usage: python -m tools.line_setup rich-menu" in err
    assert out == ""
