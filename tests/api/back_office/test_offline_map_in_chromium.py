"""The incident map in real headless Chromium with no tile server: the browser draws Thailand, its
provinces and its neighbours from data the back office serves; clusters show their cases' statuses;
the type and date filter changes the markers, and the downloads follow the filter."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from playwright.async_api import Page, expect

from domain.clock import THAILAND
from tests.api.back_office.conftest import Staff
from tests.api.back_office.placed_cases import ASSAULT, placed_case
from tests.api.back_office.test_in_chromium import sign_in_with_the_form
from tests.api.conftest import RunningApi
from tests.scene import Scene

BANGKOK = (13.7563, 100.5018)
GULF_OF_THAILAND = (10.5, 101.5)  # open sea, between the two coasts
VIENTIANE = (17.9757, 102.6331)  # Laos, across the Mekong


async def open_the_map(page: Page, api: RunningApi, query: str = "") -> None:
    await page.goto(f"{api.base_url}/office/map{query}")
    await expect(page.locator("#incident-map")).to_have_attribute("data-ready", "true")


async def what_is_drawn_at(page: Page, point: tuple[float, float]) -> str:
    """The base map's area at a place, topmost first, at the zoom of the whole country: the class of
    the land drawn there, or "sea" (its paths answer no pointer, so they are asked what they fill)."""
    return await page.evaluate("""([lat, lng]) => {
        const element = document.getElementById("incident-map");
        const map = element.leafletMap;
        map.setView([13.0, 101.0], 6, { animate: false });
        const spot = map.latLngToContainerPoint([lat, lng]);
        const box = element.getBoundingClientRect();
        const areas = [...element.querySelectorAll(".leaflet-baseMap-pane path")]
            .filter((path) => /base-map-(province|neighbour|land)( |$)/.test(path.getAttribute("class")));
        const hit = areas.reverse().find((path) => {
            const inside = new DOMPoint(box.left + spot.x, box.top + spot.y)
                .matrixTransform(path.getScreenCTM().inverse());
            return path.isPointInFill(inside);
        });
        return hit ? hit.getAttribute("class") : "sea";
    }""", list(point))


async def test_without_a_tile_server_the_browser_draws_thailand_its_provinces_and_neighbours(
        page: Page, api: RunningApi, scene: Scene, staff: Staff, tmp_path: Path) -> None:
    assert not api.settings.map_tile_url
    await placed_case(scene)
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    await page.get_by_role("link", name="แผนที่แจ้งเหตุ").click()
    await expect(page.locator("#incident-map")).to_have_attribute("data-ready", "true")
    map_element = page.locator("#incident-map")
    await expect(map_element).to_have_attribute("data-base-map", "drawn")
    assert await page.locator("#incident-map .leaflet-tile").count() == 0  # no tiles asked for
    await expect(page.locator("path.base-map-province")).to_have_count(78)  # 77 provinces and the islands
    assert await page.locator("path.base-map-neighbour").count() > 100  # the world's other countries
    await expect(page.locator("path.base-map-province-border")).to_have_count(1)  # one mesh of all borders
    assert await page.evaluate("""(bangkok) => document.getElementById("incident-map")
        .baseMapLayers.thailand.getBounds().contains(bangkok)""", list(BANGKOK))
    assert "base-map-province" in await what_is_drawn_at(page, BANGKOK)
    assert "base-map-neighbour" in await what_is_drawn_at(page, VIENTIANE)
    assert await what_is_drawn_at(page, GULF_OF_THAILAND) == "sea"
    await expect(page.locator(".leaflet-control-attribution")).to_contain_text("Natural Earth")
    await map_element.screenshot(path=str(tmp_path / "offline-map.png"))


async def test_clusters_show_the_statuses_of_their_cases(page: Page, api: RunningApi, scene: Scene,
                                                         staff: Staff) -> None:
    await placed_case(scene)
    await placed_case(scene)
    await placed_case(scene, status="CLOSED")
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    await open_the_map(page, api)
    cluster = page.locator(".status-cluster")  # three cases at one place: one cluster
    await expect(cluster).to_have_count(1)
    await expect(cluster).to_have_attribute("data-statuses", "NEW CLOSED")
    await expect(cluster).to_have_text("3")
    new, closed = await page.evaluate("""() => ["new", "closed"].map((status) =>
        getComputedStyle(document.querySelector(".status-dot-" + status)).backgroundColor)""")
    ring = await cluster.evaluate("(icon) => getComputedStyle(icon).backgroundImage")
    # Two thirds new, one third closed, in the legend's colours.
    assert ring == f"conic-gradient({new} 0deg, {new} 240deg, {closed} 240deg, {closed} 360deg)"

    await page.locator('select[name="status"]').select_option("CLOSED")
    await page.get_by_role("button", name="แสดง").click()
    marker = page.locator("#incident-map path.status-marker")
    await expect(marker).to_have_count(1)  # one case: a marker, no cluster
    assert await marker.get_attribute("fill") == closed


async def test_the_type_and_date_filter_changes_the_markers_and_the_downloads_follow(
        page: Page, api: RunningApi, scene: Scene, staff: Staff) -> None:
    detention = await placed_case(scene, days_ago=2)
    assault = await placed_case(scene, incident_type=ASSAULT, days_ago=2)
    last_month = await placed_case(scene, days_ago=25)
    await sign_in_with_the_form(page, api, staff.station_officer.username)
    await open_the_map(page, api)
    map_element = page.locator("#incident-map")
    assert set((await map_element.get_attribute("data-cases")).split()) == {detention, assault, last_month}

    await page.locator('select[name="type"]').select_option(ASSAULT.code)
    await page.get_by_role("button", name="แสดง").click()
    await expect(map_element).to_have_attribute("data-cases", assault)
    assert "type=THREAT_ASSAULT" in page.url  # a reload shows the same cases

    week_ago, today = datetime.now(THAILAND).date() - timedelta(days=7), datetime.now(THAILAND).date()
    await page.locator('select[name="type"]').select_option("")
    # Typed as Thais write a day: dd/mm/yyyy, the year in the Buddhist era.
    await page.locator('input[name="from"]').fill(f"{week_ago.day:02d}/{week_ago.month:02d}/{week_ago.year + 543}")
    await page.locator('input[name="to"]').fill(f"{today.day:02d}/{today.month:02d}/{today.year + 543}")
    await page.get_by_role("button", name="แสดง").click()
    await expect(map_element).to_have_attribute("data-cases", re.compile(r"^\S+ \S+$"))
    assert set((await map_element.get_attribute("data-cases")).split()) == {detention, assault}
    await open_the_map(page, api, "?" + page.url.partition("?")[2])  # the address kept the filter
    assert set((await map_element.get_attribute("data-cases")).split()) == {detention, assault}
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="GeoJSON").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".geojson")
    features = json.loads(Path(await download.path()).read_text(encoding="utf-8"))["features"]
    assert {feature["id"] for feature in features} == {detention, assault}
