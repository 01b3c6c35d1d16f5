"""The Temporal UI as `make run` serves it decodes encrypted histories for an administrator signed
in to the back office, with no setting in the browser: proven in Chromium against the real stack
(dev server, gateway, worker, API) started as `make run` starts it."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import Page
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryRequest
from temporalio.client import Client

from configuration.settings import Settings
from domain.models import PhoneNumber
from orchestration.client import data_converter
from orchestration.ids import case_workflow_id
from tests.devstack.test_main import make_run, stack_environment  # noqa: F401 (a fixture)

PHONE = PhoneNumber(valid=True, e164="+66812345678", national="081-234-5678")
DEMO_ADMINISTRATOR = "admin"  # a national administrator: reads every case's payloads
DEMO_PASSWORD = "ess-demo-2569"


async def test_a_signed_in_administrator_reads_a_decoded_history_in_the_temporal_ui_as_make_run_serves_it(
    stack_environment: dict[str, str], page: Page,  # noqa: F811
) -> None:
    api_port = int(stack_environment["ESS_API_PORT"])
    ui_port = int(stack_environment["ESS_TEMPORAL_UI_PORT"])
    back_office = f"http://localhost:{api_port}"

    async with make_run(stack_environment) as stack:
        await stack.until_api_answers(api_port)
        # The banner links what works with the UI: the back office at localhost, not 127.0.0.1.
        assert f"{back_office}/office" in stack.text
        assert f"127.0.0.1:{api_port}/office" not in stack.text
        async with httpx.AsyncClient(trust_env=False) as http:
            home = (await http.get(f"http://127.0.0.1:{api_port}/")).text
            assert f"href='{back_office}/office'" in home

            # What the UI's own server tells the UI: the API's codec, with the session cookie.
            ui_settings = (await http.get(f"http://localhost:{ui_port}/api/v1/settings")).json()
            assert ui_settings["Codec"] == ui_settings["Codec"] | {
                "Endpoint": f"{back_office}/codec", "IncludeCredentials": True}

        # A case's workflow whose input the client sealed with the development key, as the API does;
        # no worker polls its queue, so the started event stays as it was written.
        temporal = await Client.connect(f"127.0.0.1:{stack_environment['ESS_TEMPORAL_PORT']}",
                                        data_converter=data_converter(Settings()))
        workflow_id = case_workflow_id(f"ESS-2026-{uuid.uuid4().int % 10**6:06d}")
        await temporal.start_workflow("CaseWorkflow", PHONE, id=workflow_id, task_queue=f"idle-{workflow_id}")
        sealed = await temporal.workflow_service.get_workflow_execution_history(GetWorkflowExecutionHistoryRequest(
            namespace="default", execution=WorkflowExecution(workflow_id=workflow_id)))
        assert b"+66812345678" not in sealed.SerializeToString(), "Temporal holds the input encrypted"
        history_page = f"http://localhost:{ui_port}/namespaces/default/workflows/{workflow_id}"

        # Before signing in, the UI asks and the codec endpoint refuses: the payload stays sealed.
        async with page.expect_response(lambda r: "/codec/decode" in r.url and r.request.method == "POST") as asked:
            await page.goto(history_page)
        assert (await asked.value).status == 401
        assert await page.get_by_text("+66812345678").count() == 0

        await page.goto(f"{back_office}/office/sign-in")
        await page.fill("input[name=username]", DEMO_ADMINISTRATOR)
        await page.fill("input[name=password]", DEMO_PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url("**/office/**")

        async with page.expect_response(lambda r: "/codec/decode" in r.url and r.request.method == "POST") as asked:
            await page.goto(history_page)
        assert (await asked.value).status == 200
        await page.get_by_text("+66812345678").first.wait_for(timeout=30_000)
        assert await page.locator("text=Codec Server could not connect >> visible=true").count() == 0

        assert await stack.press_ctrl_c() == 0, stack.text[-4000:]
