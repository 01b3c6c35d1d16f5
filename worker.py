"""Runs the Temporal worker: the workflows and the activities that talk to LINE and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta
from wsgiref.simple_server import WSGIServer

import asyncpg
from prometheus_client import start_http_server
from temporalio.client import Client
from temporalio.runtime import LogForwardingConfig, LoggingConfig, PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError
from temporalio.worker import Worker

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
from workflows.retention import RetentionWorkflow


def build_worker(
    client: Client, settings: Settings, pool: asyncpg.Pool, messenger: LineMessenger, task_queue: str | None = None
) -> Worker:
    store = CaseStore(pool, messenger.download_content)
    reference = ReferenceData(pool)
    directory = Directory(pool, settings.sign_in_failures_per_minute)
    handoffs = HandoffStore(pool)
    team = TeamDirectory(pool)
    retention = RetentionStore(pool)
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        workflows=[IntakeWorkflow, CaseWorkflow, HandoffWorkflow, RetentionWorkflow],
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
            store.save_attachment,
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
    )


# Scraped from other machines or containers, so on every interface; the figures hold no personal data.
METRICS_HOST = "0.0.0.0"
log = logging.getLogger("worker")


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
        await stop.wait()
        log.info("stopping: no new tasks; activities under way may finish")
    await messenger.close()
    await pool.close()
    if metrics_server is not None:
        metrics_server.shutdown()
    log.info("worker stopped")


if __name__ == "__main__":
    asyncio.run(main())
