"""The case page links the case's workflow in the Temporal UI only for those the codec endpoint
decodes for (administrators): anyone else would find every payload there still encrypted."""

from __future__ import annotations

from api.codec_endpoint import ADMINISTRATORS_ONLY
from orchestration.ids import case_workflow_id
from tests.api.back_office.conftest import Staff, open_routed_case, sign_in
from tests.api.conftest import RunningApi
from tests.scene import Scene


async def test_only_administrators_who_can_decode_get_the_temporal_link(
        scene: Scene, staff: Staff, browser_like, api: RunningApi) -> None:
    case_no, _ = await open_routed_case(scene)
    link = f"{api.settings.temporal_ui_url.rstrip('/')}/namespaces/default/workflows/{case_workflow_id(case_no)}"
    for name, decodes in {"station_officer": False, "centre_operator": False,
                          "province_admin": True, "superadmin": True}.items():
        http = browser_like()
        assert (await sign_in(http, getattr(staff, name))).status_code == 303
        page = await http.get(f"/office/cases/{case_no}")
        assert page.status_code == 200, name
        assert (link in page.text) is decodes, name
        assert ("Temporal UI" in page.text) is decodes, name
        codec = await http.post("/codec/decode", json={"payloads": []}, headers={"X-Namespace": "default"})
        assert (codec.status_code == 200) is decodes, name
        if not decodes:
            assert codec.json()["detail"] == ADMINISTRATORS_ONLY
