"""`python worker.py` with Worker Deployment Versioning on, as `make run` and docker-compose start
it: once it polls, it makes its version the deployment's current one by itself, and says so; with
ESS_WORKER_PROMOTES=false it leaves that to an operator."""

from __future__ import annotations

import asyncio
import sys
import uuid

from temporalio.api.workflowservice.v1 import DescribeWorkerDeploymentRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from tests.operations.processes import START_SECONDS, LoggedProcess, settings_for_process, started
from tests.waiting import eventually
from tests.worker_environment import worker_environment


class VersionedWorker(LoggedProcess):
    def __init__(self, settings: Settings, deployment: str, build_id: str, promotes: bool) -> None:
        environment = worker_environment(
            settings, ESS_WORKER_VERSIONING="true", ESS_WORKER_DEPLOYMENT=deployment, ESS_BUILD_ID=build_id,
            ESS_WORKER_PROMOTES=str(promotes).lower(), ESS_WORKER_METRICS_PORT="0", PYTHONUNBUFFERED="1",
            PYTHONWARNINGS="ignore:XDG_RUNTIME_DIR is not set",
        )
        super().__init__([sys.executable, "worker.py"], environment, log_prefix="ess-versioned-worker-")

    async def start(self) -> None:
        await self.launch()

        async def polling() -> bool:
            assert self.process is not None
            assert self.process.returncode is None, "the worker stopped while starting:\n" + self.output()
            return "worker polling task queue" in self.output()

        await eventually(polling, timeout=START_SECONDS)


async def deployment(client: Client, name: str) -> tuple[str, list[str]] | None:
    """The deployment's current build id ("" for none) and the build ids of its versions; None
    before the server has seen the deployment's first poll."""
    try:
        described = await client.workflow_service.describe_worker_deployment(
            DescribeWorkerDeploymentRequest(namespace=client.namespace, deployment_name=name))
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    info = described.worker_deployment_info
    return (info.routing_config.current_deployment_version.build_id,
            sorted(summary.deployment_version.build_id for summary in info.version_summaries))


async def test_a_versioned_worker_process_promotes_its_version_once_it_polls(
        dev_server: WorkflowEnvironment, database_url: str, line_settings: Settings, task_queue: str) -> None:
    settings = settings_for_process(line_settings, database_url, dev_server, task_queue)
    name = f"test-{uuid.uuid4()}"
    async with started(VersionedWorker(settings, name, "4.2.0", promotes=True)) as worker:
        async def promoted() -> bool:
            return await deployment(dev_server.client, name) == ("4.2.0", ["4.2.0"])

        try:
            await eventually(promoted, timeout=30)
        except AssertionError:
            print(worker.output())
            raise
        await eventually(lambda: _said(worker, "worker version 4.2.0 is now current"))


async def test_with_promotion_off_the_version_registers_but_an_operator_makes_it_current(
        dev_server: WorkflowEnvironment, database_url: str, line_settings: Settings, task_queue: str) -> None:
    settings = settings_for_process(line_settings, database_url, dev_server, task_queue)
    name = f"test-{uuid.uuid4()}"
    async with started(VersionedWorker(settings, name, "4.2.0", promotes=False)):
        assert await eventually(lambda: deployment(dev_server.client, name)) == ("", ["4.2.0"])
        await asyncio.sleep(3)  # a promoting worker is current within a second of polling
        assert await deployment(dev_server.client, name) == ("", ["4.2.0"])


async def _said(worker: LoggedProcess, words: str) -> bool:
    return words in worker.output()
