"""The Content-Security-Policy in real headless Chromium: a page it breaks breaks silently (no chart, no
map), so each page with scripts is opened and must draw what it draws with no violation reported —
the case page, the dashboard, the incident map (also over tiles from a tile server of its own), and
the API documentation. And what the policy is for: a script slipped into a page is refused."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from fastapi import FastAPI, Response
from playwright.async_api import ConsoleMessage, Page, expect

from api.app import create_app
from tests.api.back_office.conftest import PASSWORD, Person, Staff, open_routed_case
from tests.api.conftest import RunningApi
from tests.fake_line import serve
from tests.scene import Scene
from tests.waiting import eventually

VIOLATION = "Content Security Policy"


def one_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xaa\xd3\xdf"))
            + chunk(b"IEND", b""))


class Violations:
    """What Chromium reports on the console about the policy."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", self._heard)

    def reported(self, count: int) -> Callable[[], Awaitable[bool]]:
        async def enough() -> bool:
            return len(self.messages) >= count
        return enough

    def _heard(self, message: ConsoleMessage) -> None:
        if VIOLATION in message.text:
            self.messages.append(message.text)


@pytest.fixture
async def violations(page: Page) -> Violations:
    return Violations(page)


@pytest.fixture
async def tile_server() -> AsyncIterator[tuple[str, list[str]]]:
    """A map tile server on another origin; its URL template and the tiles asked of it."""
    asked: list[str] = []
    tiles = FastAPI()
    png = one_pixel_png()

    @tiles.get("/{z}/{x}/{y}.png")
    async def tile(z: int, x: int, y: int) -> Response:
        asked.append(f"{z}/{x}/{y}")
        return Response(png, media_type="image/png")

    async with serve(tiles) as base_url:
        yield base_url + "/{z}/{x}/{y}.png", asked


async def sign_in(page: Page, base_url: str, person: Person) -> None:
    await page.goto(f"{base_url}/office/sign-in")
    await page.get_by_label("ชื่อผู้ใช้").fill(person.username)
    await page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    await page.get_by_role("button", name="เข้าสู่ระบบ").click()
    await expect(page.get_by_role("heading", name="รายการแจ้งระงับเหตุด่วน")).to_be_visible()


async def test_the_case_page_dashboard_and_map_work_with_no_policy_violation(
        page: Page, violations: Violations, api: RunningApi, scene: Scene, staff: Staff) -> None:
    case_no, _ = await open_routed_case(scene)
    await sign_in(page, api.base_url, staff.station_officer)

    await page.goto(f"{api.base_url}/office/cases/{case_no}")
    await expect(page.locator("#case-map path.leaflet-interactive")).to_have_count(1)  # Leaflet ran
    await expect(page.locator("#case-map")).to_have_attribute("data-base-map", "drawn")

    await page.goto(f"{api.base_url}/office/dashboard")
    await expect(page.locator("body")).to_have_attribute("data-charts-drawn", "true")  # Chart.js ran

    await page.goto(f"{api.base_url}/office/map")
    await expect(page.locator("#incident-map path.leaflet-interactive")).to_have_count(1)
    await expect(page.locator("#incident-map")).to_have_attribute("data-base-map", "drawn")  # the offline map
    assert violations.messages == []


async def test_map_tiles_load_from_the_configured_tile_server_with_no_policy_violation(
        page: Page, violations: Violations, api: RunningApi, scene: Scene, staff: Staff,
        tile_server: tuple[str, list[str]]) -> None:
    tile_url, asked = tile_server
    await open_routed_case(scene)
    with_tiles = api.settings.model_copy(update={"map_tile_url": tile_url, "map_tile_attribution": "ทดสอบ"})
    async with serve(create_app(with_tiles), lifespan="on") as base_url:
        await sign_in(page, base_url, staff.station_officer)
        await page.goto(f"{base_url}/office/map")
        await expect(page.locator("#incident-map path.leaflet-interactive")).to_have_count(1)
        await expect(page.locator("#incident-map img.leaflet-tile-loaded").first).to_be_attached()
        await expect(page.locator("#incident-map path.base-map-province")).to_have_count(0)  # tiles instead
    assert asked  # the tiles came from the other origin, not from this site
    assert violations.messages == []


async def test_the_api_documentation_renders_with_no_policy_violation(
        page: Page, violations: Violations, api: RunningApi) -> None:
    await page.goto(f"{api.base_url}/docs")
    await expect(page.locator("#swagger-ui .swagger-ui")).to_be_attached()  # Swagger UI's script ran
    await page.wait_for_load_state("networkidle")  # and fetched what it fetches
    # It reads FastAPI's OpenAPI 3.1 (Swagger UI 4 could not: "Unable to render this definition").
    await expect(page.locator(".opblock-summary-path", has_text="/api/cases").first).to_be_visible()
    await expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    assert violations.messages == []


async def test_a_script_slipped_into_a_page_is_refused_and_reported(
        page: Page, violations: Violations, api: RunningApi) -> None:
    await page.goto(f"{api.base_url}/office/sign-in")
    await page.evaluate("""() => document.body.insertAdjacentHTML("beforeend",
        '<img src="/nowhere.png" onerror="document.body.dataset.injected = 1">' +
        '<a id="styled" style="color: red">x</a>')""")
    await eventually(violations.reported(2))
    assert await page.evaluate("document.body.dataset.injected") is None  # the handler never ran
    assert any("inline event handler" in message for message in violations.messages)
    assert any("inline style" in message for message in violations.messages)


async def test_the_line_simulator_works_under_its_own_policy(
        page: Page, violations: Violations, api: RunningApi) -> None:
    await page.goto(f"{api.base_url}/dev/")
    await page.get_by_placeholder("ชื่อที่แสดง").fill("ทดสอบ")
    await page.get_by_role("button", name="เพิ่มเพื่อน", exact=True).click()
    await expect(page.locator("#status")).to_have_text("follow → webhook 200")  # the new friend is chosen
    await page.get_by_placeholder("พิมพ์ข้อความ").fill("สวัสดี")
    await page.get_by_placeholder("พิมพ์ข้อความ").press("Enter")
    await expect(page.locator("#status")).to_have_text("message → webhook 200")  # signed and sent by its script
    await expect(page.locator("#chat")).to_contain_text("สวัสดี")
    await page.get_by_title("ตำแหน่ง").click()
    await expect(page.locator("#location-dialog #map path, #location-dialog #map circle").first).to_be_attached()
    assert violations.messages == []
