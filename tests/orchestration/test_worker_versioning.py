"""Worker Deployment Versioning on the dev server (the real server): a versioned worker registers
its version and makes it current; a newer release's worker takes over new cases and running ones
(auto-upgrade) once the old one stops; an older release never takes the current version back; the
nightly retention run is pinned to the version it started on.

Each test has a Worker Deployment of its own, so tests sharing the session's server never meet."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from temporalio.api.enums.v1 import VersioningBehavior as VersioningBehaviorProto
from temporalio.api.workflowservice.v1 import DescribeWorkerDeploymentRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.line import LineMessenger
from activities.retention import RetentionPolicy
from configuration.settings import Settings
from domain.models import ActionKind, OfficerAction
from tests.fake_line import FakeLine
from tests.scene import Scene
from tests.waiting import eventually
from tests.workflows.conftest import Reporting
from worker import build_worker, is_newer_release, promote_worker_version
from workflows.case import CaseWorkflow
from workflows.retention import RetentionWorkflow


@pytest.fixture
async def versioned(
    dev_server: WorkflowEnvironment, pool: asyncpg.Pool, database_url: str, fake_line: FakeLine,
    line_settings: Settings, task_queue: str,
) -> AsyncIterator[tuple[Settings, LineMessenger, Scene]]:
    """Settings for versioned workers of a deployment of this test's own, and a dispatch scene
    whose cases go to whichever of them is current (no worker runs yet)."""
    settings = line_settings.model_copy(update={
        "database_url": database_url, "temporal_task_queue": task_queue,
        "worker_versioning": True, "worker_deployment": f"test-{uuid.uuid4()}", "build_id": "1.0.0",
    })
    messenger = LineMessenger(settings)
    reporting = Reporting(dev_server, settings, pool, fake_line, messenger)
    scene = await Scene(dev_server.client, settings, pool, fake_line.platform, reporting.citizen,
                        reporting.deliver).set_up()
    yield settings, messenger, scene
    await messenger.close()


def release(settings: Settings, build_id: str) -> Settings:
    return settings.model_copy(update={"build_id": build_id})


async def current_version(client: Client, settings: Settings) -> str:
    described = await client.workflow_service.describe_worker_deployment(DescribeWorkerDeploymentRequest(
        namespace=client.namespace, deployment_name=settings.worker_deployment))
    routing = described.worker_deployment_info.routing_config
    return routing.current_deployment_version.build_id


async def runs_on(handle: WorkflowHandle) -> tuple[str, int]:
    """The build id a workflow's last task ran on, and its versioning behaviour (once its first
    task is done: before, it has neither)."""
    async def described() -> tuple[str, int] | None:
        info = (await handle.describe()).raw_description.workflow_execution_info.versioning_info
        return (info.deployment_version.build_id, info.behavior) if info.deployment_version.build_id else None
    return await eventually(described)


def acknowledge(scene: Scene) -> OfficerAction:
    return OfficerAction(kind=ActionKind.ACKNOWLEDGE, officer=scene.station_officer)


async def test_a_versioned_worker_registers_its_version_and_makes_it_current(
        versioned: tuple[Settings, LineMessenger, Scene], pool: asyncpg.Pool) -> None:
    settings, messenger, scene = versioned
    client = scene.client
    async with build_worker(client, settings, pool, messenger):
        assert await promote_worker_version(client, settings)
        assert await current_version(client, settings) == "1.0.0"
        assert not await promote_worker_version(client, settings)  # already current: nothing to do

        _, handle = await scene.open_case()
        await scene.officer_hears(scene.station_line).hears()
        assert await runs_on(handle) == ("1.0.0", VersioningBehaviorProto.VERSIONING_BEHAVIOR_AUTO_UPGRADE)


async def test_a_newer_release_takes_over_new_and_running_cases_once_the_old_workers_stop(
        versioned: tuple[Settings, LineMessenger, Scene], pool: asyncpg.Pool) -> None:
    old, messenger, scene = versioned
    new = release(old, "1.1.0")
    client = scene.client
    old_worker = build_worker(client, old, pool, messenger)
    old_running = asyncio.create_task(old_worker.run())
    try:
        assert await promote_worker_version(client, old)
        case_no, running = await scene.open_case()
        await scene.officer_hears(scene.station_line).hears()
        assert (await runs_on(running))[0] == "1.0.0"

        async with build_worker(client, new, pool, messenger):
            # Deployed beside the old release, the new one promotes itself...
            assert await promote_worker_version(client, new)
            assert await current_version(client, new) == "1.1.0"
            # ...and the old release's workers stop, one at a time.
            await old_worker.shutdown()
            await old_running

            # The running case's next task (an officer acknowledges) runs on the new release...
            await running.execute_update(CaseWorkflow.act, acknowledge(scene))
            assert await runs_on(running) == ("1.1.0", VersioningBehaviorProto.VERSIONING_BEHAVIOR_AUTO_UPGRADE)
            assert await eventually(lambda: pool.fetchval(
                "select true from cases where case_no = $1 and status = 'ACKNOWLEDGED'", case_no))
            # ...and so does a new case.
            _, fresh = await scene.open_case()
            await scene.officer_hears(scene.station_line).hears()
            assert (await runs_on(fresh))[0] == "1.1.0"
    finally:
        if not old_running.done():
            await old_worker.shutdown()


async def test_the_first_versioned_release_takes_over_the_cases_of_unversioned_workers(
        versioned: tuple[Settings, LineMessenger, Scene], pool: asyncpg.Pool) -> None:
    """Release 0.1.0 ran unversioned: its running cases move to the first versioned release."""
    first, messenger, scene = versioned
    client = scene.client
    unversioned = build_worker(client, first.model_copy(update={"worker_versioning": False}), pool, messenger)
    unversioned_running = asyncio.create_task(unversioned.run())
    try:
        case_no, running = await scene.open_case()
        await scene.officer_hears(scene.station_line).hears()
        async with build_worker(client, first, pool, messenger):
            assert await promote_worker_version(client, first)
            await unversioned.shutdown()
            await unversioned_running

            await running.execute_update(CaseWorkflow.act, acknowledge(scene))
            assert await runs_on(running) == ("1.0.0", VersioningBehaviorProto.VERSIONING_BEHAVIOR_AUTO_UPGRADE)
            assert await eventually(lambda: pool.fetchval(
                "select true from cases where case_no = $1 and status = 'ACKNOWLEDGED'", case_no))
    finally:
        if not unversioned_running.done():
            await unversioned.shutdown()


async def test_an_old_worker_restarted_during_a_deploy_stays_beside_the_new_release(
        versioned: tuple[Settings, LineMessenger, Scene], pool: asyncpg.Pool) -> None:
    old, messenger, scene = versioned
    new = release(old, "1.1.0")
    client = scene.client
    async with build_worker(client, new, pool, messenger):
        assert await promote_worker_version(client, new)
        async with build_worker(client, old, pool, messenger):
            assert not await promote_worker_version(client, old)
            assert await current_version(client, old) == "1.1.0"
            _, fresh = await scene.open_case()
            await scene.officer_hears(scene.station_line).hears()
            assert (await runs_on(fresh))[0] == "1.1.0"


async def test_an_older_release_never_takes_the_current_version_back(
        versioned: tuple[Settings, LineMessenger, Scene], pool: asyncpg.Pool) -> None:
    settings, messenger, scene = versioned
    client = scene.client
    async with build_worker(client, release(settings, "2.0.0"), pool, messenger):
        assert await promote_worker_version(client, release(settings, "2.0.0"))
    # Every 2.0.0 worker is gone; a 1.9.9 worker starts (say, an old host rebooted): it still may not.
    async with build_worker(client, release(settings, "1.9.9"), pool, messenger):
        assert not await promote_worker_version(client, release(settings, "1.9.9"))
        assert await current_version(client, settings) == "2.0.0"


def test_only_an_older_release_or_none_is_replaced() -> None:
    assert is_newer_release("0.2.0", "")
    assert is_newer_release("0.2.0", "__unversioned__")
    assert is_newer_release("0.10.0", "0.9.1")  # numbers, not strings
    assert not is_newer_release("0.1.0", "0.2.0")
    assert not is_newer_release("0.2.0", "0.2.0")
    # An operator's own build id has no order: a worker never replaces it, nor it a release.
    assert not is_newer_release("0.3.0", "hotfix-7")
    assert not is_newer_release("hotfix-7", "0.2.0")


async def test_the_retention_run_is_pinned_to_the_version_it_started_on(
        versioned: tuple[Settings, LineMessenger, Scene], pool: asyncpg.Pool) -> None:
    settings, messenger, scene = versioned
    client = scene.client
    async with build_worker(client, settings, pool, messenger):
        await promote_worker_version(client, settings)
        # A century's retention: the run anonymises nothing of the session's other tests.
        handle = await client.start_workflow(
            RetentionWorkflow.run, RetentionPolicy(retention_days=36_500), id=f"retention-{uuid.uuid4()}",
            task_queue=settings.temporal_task_queue)
        assert await handle.result() == 0
        assert await runs_on(handle) == ("1.0.0", VersioningBehaviorProto.VERSIONING_BEHAVIOR_PINNED)
