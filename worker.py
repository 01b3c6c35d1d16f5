"""Runs the Temporal worker: the workflows and the activities that talk to LINE and PostgreSQL."""

from __future__ import annotations

import asyncio
import compileall
import logging
import signal
from datetime import timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIServer

import asyncpg
from prometheus_client import start_http_server
from temporalio.api.workflowservice.v1 import (
    DescribeWorkerDeploymentRequest,
    SetWorkerDeploymentCurrentVersionRequest,
)
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.runtime import LogForwardingConfig, LoggingConfig, PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker, WorkerDeploymentConfig

from activities.cases import CaseStore
from activities.directory import Directory
from activities.handoffs import HandoffStore
from activities.line import LineMessenger
from activities.reference import ReferenceData
from activities.retention import RetentionStore
from activities.team_directory import TeamDirectory
from configuration.logging_setup import configure_logging
from configuration.settings import Settings, get_settings
from database.pool import create_pool
from database.startup import prepare_database
from orchestration.client import connect_temporal
from orchestration.schedules import ensure_retention_schedule
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow
from workflows.intake import IntakeWorkflow
from workflows.retention import PinnedRetentionWorkflow, RetentionWorkflow

# Temporal's sandbox imports the module that defines a workflow afresh for every workflow run, to
# keep runs apart. With the module's bytecode on disk that import reads it; without it (where
# PYTHONDONTWRITEBYTECODE is set, as on the development machines) every run compiles
# workflows/intake.py and workflows/case.py again, about 7 ms of CPU each: some 7 % of the worker's
# CPU in `make bench`. The image compiles all the code when it is built (Dockerfile); the worker
# does the same for the workflow modules wherever else it runs.
log = logging.getLogger("worker")
WORKFLOW_MODULES = Path(__file__).resolve().parent / "workflows"


def cache_workflow_bytecode(folder: Path = WORKFLOW_MODULES) -> bool:
    """Writes the bytecode of the modules in `folder` where imports look for it, where missing or
    stale; True when every module has it now. Where the folder cannot be written to (a read-only
    image built without it), the sandbox compiles as before: slower, not wrong, and said in the log."""
    cached = bool(compileall.compile_dir(folder, maxlevels=0, quiet=2))
    if not cached:
        log.warning("no bytecode for the workflow modules: each workflow run compiles them")
    return cached


def build_worker(
    client: Client, settings: Settings, pool: asyncpg.Pool, messenger: LineMessenger, task_queue: str | None = None
) -> Worker:
    cache_workflow_bytecode()
    store = CaseStore(pool, messenger.download_content)
    reference = ReferenceData(pool)
    directory = Directory(pool, settings.sign_in_failures_per_minute)
    handoffs = HandoffStore(pool)
    team = TeamDirectory(pool)
    retention = RetentionStore(pool)
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        workflows=[IntakeWorkflow, CaseWorkflow, HandoffWorkflow,
                   PinnedRetentionWorkflow if settings.worker_versioning else RetentionWorkflow],
        activities=[
            messenger.send_line_messages,
            messenger.show_line_loading,
            messenger.get_line_language,
            store.allocate_case_number,
            store.record_case_opened,
            store.append_case_event,
            store.find_open_case,
            store.find_recent_case,
            store.case_jurisdiction,
            store.record_refused_view,
            store.record_line_action,
            store.save_attachment,
            store.keep_unrecorded_report,
            store.find_handed_over_case,
            reference.list_incident_types,
            reference.locate_place,
            reference.read_phone_number,
            directory.route_case,
            directory.get_station,
            directory.officers_for_audiences,
            directory.find_officer_by_line_user,
            directory.follow_up_contacts,
            directory.officer_contact,
            directory.register_officer,
            directory.count_prank_reports,
            handoffs.record_handoff_opened,
            handoffs.append_handoff_event,
            handoffs.team_accept_minutes,
            team.team_members_for_audiences,
            team.get_team_member,
            team.team_member_contact,
            team.team_member_by_line,
            retention.anonymise_closed_cases,
        ],
        # Let in-flight activities (a message half-sent) finish on SIGTERM.
        graceful_shutdown_timeout=timedelta(seconds=20),
        # The LINE activity heartbeats "about to reply/push" so a retry after a crash never
        # sends twice: get that note to the server promptly.
        default_heartbeat_throttle_interval=timedelta(seconds=1),
        max_heartbeat_throttle_interval=timedelta(seconds=1),
        # Each report starts two workflows (its conversation, then its case) whose first tasks come
        # from the shared queue rather than this worker's sticky one: poll it with half the pollers
        # (the default is one in five), or new cases wait for a free poller under load.
        max_concurrent_workflow_task_polls=10,
        nonsticky_to_sticky_poll_ratio=0.5,
        # After a crash, a conversation's next task waits this long on the dead worker's sticky
        # queue before any worker may take it: keep a frightened reporter's wait short.
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=3),
        deployment_config=deployment_config(settings),
    )


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """With versioning on, this worker is version `build_id` of the Worker Deployment: the server
    sends it the workflows of its version, and the deployment's current version gets new workflows
    and, at their next task, running auto-upgrade ones (every workflow but the pinned retention run,
    which stays on the version it started on). Off: an unversioned worker, as before."""
    if not settings.worker_versioning:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(deployment_name=settings.worker_deployment, build_id=settings.build_id),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


# The server learns of a version from its workers' polls, a moment after they start.
PROMOTION_PATIENCE = timedelta(seconds=60)
PROMOTION_PAUSE = timedelta(seconds=0.5)
PROMOTION_MAX_PAUSE = timedelta(seconds=5)
PROMOTION_RETRIES = frozenset({
    RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION, RPCStatusCode.ABORTED,
    RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED,
})
UNVERSIONED = "__unversioned__"


def release_order(build_id: str) -> tuple[int, ...] | None:
    """"0.10.2" -> (0, 10, 2); None for a build id that is not a release number (an operator's own)."""
    parts = build_id.split(".")
    if not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def is_newer_release(build_id: str, current: str) -> bool:
    """Whether `build_id` may replace `current` as the deployment's current version: there is none,
    or both are release numbers and `current` is the older. Never the other way: an old worker
    restarted during a deploy must not pull workflows back to old code."""
    if not current or current == UNVERSIONED:
        return True
    ours, theirs = release_order(build_id), release_order(current)
    return ours is not None and theirs is not None and ours > theirs


async def promote_worker_version(client: Client, settings: Settings) -> bool:
    """Makes this worker's version the deployment's current one when `is_newer_release` allows it.
    Call it once the worker polls: the server knows a version only from its pollers, so this asks
    again for a while. Returns whether this call made it current."""
    service, namespace = client.workflow_service, client.namespace
    deadline = asyncio.get_running_loop().time() + PROMOTION_PATIENCE.total_seconds()
    pause = PROMOTION_PAUSE.total_seconds()
    while True:
        try:
            described = await service.describe_worker_deployment(
                DescribeWorkerDeploymentRequest(namespace=namespace, deployment_name=settings.worker_deployment))
            routing = described.worker_deployment_info.routing_config
            current = routing.current_deployment_version.build_id or routing.current_version
            if current == settings.build_id:
                return False
            if not is_newer_release(settings.build_id, current):
                log.info("worker version %s stays beside current version %s (not promoted)", settings.build_id,
                         current)
                return False
            # The conflict token makes a promotion that raced another (a newer version's) fail and look again.
            await service.set_worker_deployment_current_version(SetWorkerDeploymentCurrentVersionRequest(
                namespace=namespace, deployment_name=settings.worker_deployment, build_id=settings.build_id,
                conflict_token=described.conflict_token, identity=client.identity))
            log.info("worker version %s is now current (was %s)", settings.build_id, current or "none")
            return True
        except RPCError as error:
            # NOT_FOUND: no deployment or version yet; FAILED_PRECONDITION / ABORTED: no pollers seen
            # yet, or another promotion came first; RESOURCE_EXHAUSTED: "too many requests issued to
            # Worker Deployment" while the server is still registering the new version.
            if error.status not in PROMOTION_RETRIES or asyncio.get_running_loop().time() > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, PROMOTION_MAX_PAUSE.total_seconds())


# Scraped from other machines or containers, so on every interface; the figures hold no personal data.
METRICS_HOST = "0.0.0.0"


def temporal_runtime(settings: Settings) -> Runtime:
    """The SDK's own metrics (task slots, poll and schedule-to-start latencies, ...) for Prometheus
    on worker_metrics_port (0: none), and its core's log lines through Python's logging, so they
    come out in the worker's format. A port already taken costs the metrics, not the worker: a
    worker that will not start over its metrics would leave reports waiting."""
    port = settings.worker_metrics_port
    if port:
        try:
            return Runtime(telemetry=_telemetry(PrometheusConfig(bind_address=f"{METRICS_HOST}:{port}")))
        except ValueError:  # the SDK's "Failed starting Prometheus exporter"
            log.warning("Temporal SDK metrics not served: port %d is taken", port)
    return Runtime(telemetry=_telemetry(None))


def _telemetry(metrics: PrometheusConfig | None) -> TelemetryConfig:
    forwarding = LogForwardingConfig(logger=logging.getLogger("temporalio.core"))
    logging_config = LoggingConfig(filter=LoggingConfig.default.filter, forwarding=forwarding)
    return TelemetryConfig(metrics=metrics, logging=logging_config)


def serve_worker_metrics(settings: Settings) -> WSGIServer | None:
    """prometheus-client's registry (escalations, LINE API errors, the process) on the port after
    the SDK's: one port cannot serve both. None when worker metrics are off or the port is taken."""
    if not settings.worker_metrics_port:
        return None
    port = settings.worker_metrics_port + 1
    try:
        server, _thread = start_http_server(port, addr=METRICS_HOST)
    except OSError:
        log.warning("worker metrics not served: port %d is taken", port)
        return None
    return server


async def main() -> None:
    configure_logging("worker")
    settings = get_settings()
    metrics_server = serve_worker_metrics(settings)
    pool = await create_pool(settings)
    await prepare_database(pool, settings)
    client = await connect_temporal(settings, runtime=temporal_runtime(settings))
    try:
        await ensure_retention_schedule(client, settings)
    except RPCError as error:  # reports matter more than tonight's retention run: start anyway, loudly
        log.error("retention schedule not in place: %s", error.message)
    messenger = LineMessenger(settings)
    worker = build_worker(client, settings, pool, messenger)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with worker:
        log.info("worker polling task queue %s", settings.temporal_task_queue)
        promotion = None
        if settings.worker_versioning:
            log.info("worker is version %s of worker deployment %s", settings.build_id, settings.worker_deployment)
            if settings.worker_promotes:
                promotion = asyncio.create_task(_promote(client, settings))
        await stop.wait()
        if promotion is not None:
            promotion.cancel()
        log.info("stopping: no new tasks; activities under way may finish")
    await messenger.close()
    await pool.close()
    if metrics_server is not None:
        metrics_server.shutdown()
    log.info("worker stopped")


async def _promote(client: Client, settings: Settings) -> None:
    """A promotion that fails leaves the worker polling: its version serves what is routed to it,
    and an operator can still promote it by hand."""
    try:
        await promote_worker_version(client, settings)
    except RPCError as error:
        log.error("worker version %s not promoted: %s (promote it with `temporal worker deployment "
                  "set-current-version`)", settings.build_id, error.message)


if __name__ == "__main__":
    asyncio.run(main())
