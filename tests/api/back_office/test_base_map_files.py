"""The offline base map's data as the browser fetches it: served by the app itself, with no sign-in
(it is the same for everyone), and gzipped for a phone that takes it."""

from __future__ import annotations

import json

from tests.api.conftest import RunningApi

COUNTRIES = "/office/vendor/world-atlas/countries-50m.json"
PROVINCES = "/office/static/base_map/thailand-provinces.topo.json"


async def test_the_countries_and_thailands_provinces_are_served_gzipped(api: RunningApi) -> None:
    for path, objects in ((COUNTRIES, {"countries", "land"}), (PROVINCES, {"THA"})):
        answer = await api.http.get(path, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200, path
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.num_bytes_downloaded < len(answer.content) / 2  # what travels is under half
        topology = json.loads(answer.content)
        assert topology["type"] == "Topology" and set(topology["objects"]) == objects


async def test_thailands_77_provinces_are_natural_earths_admin_1_and_the_map_credits_it(api: RunningApi) -> None:
    topology = (await api.http.get(PROVINCES)).json()
    provinces = [g for g in topology["objects"]["THA"]["geometries"] if g["id"] != "-99"]  # -99: islands
    assert len(provinces) == 77
    assert {"TH.BM", "TH.CM", "TH.PU", "TH.BK"} <= {p["id"] for p in provinces}  # Bangkok … Bueng Kan
    script = (await api.http.get("/office/static/base_map.js")).text
    assert "Natural Earth" in script  # the attribution the map shows
