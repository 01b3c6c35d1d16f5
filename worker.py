"""Runs the Temporal worker: the workflows and the activities that talk to LINE and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

import asyncpg
from temporalio.client import Client
from temporalio.worker import Worker

from activities.cases import CaseStore
from activities.directory import Directory
from activities.handoffs import HandoffStore
from activities.line import LineMessenger
from activities.reference import ReferenceData
from activities.team_directory import TeamDirectory
from database.pool import create_pool
from database.startup import prepare_database
from domain.settings import Settings, get_settings
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow
from workflows.client import connect_temporal
from workflows.intake import IntakeWorkflow


def build_worker(
    client: Client, settings: Settings, pool: asyncpg.Pool, messenger: LineMessenger, task_queue: str | None = None
) -> Worker:
    store = CaseStore(pool, messenger.download_content)
    reference = ReferenceData(pool)
    directory = Directory(pool)
    handoffs = HandoffStore(pool)
    team = TeamDirectory(pool)
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        workflows=[IntakeWorkflow, CaseWorkflow, HandoffWorkflow],
        activities=[
            messenger.send,
            messenger.show_loading,
            messenger.get_language,
            store.allocate_case_number,
            store.record_case_opened,
            store.append_case_event,
            store.find_open_case,
            store.save_attachment,
            reference.incident_types,
            reference.locate,
            reference.read_phone_number,
            directory.route,
            directory.station,
            directory.officers_for,
            directory.officer_by_line_user,
            directory.register,
            directory.prank_count,
            handoffs.record_opened,
            handoffs.append_event,
            handoffs.team_accept_minutes,
            team.members_for,
            team.member,
            team.contact,
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


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    pool = await create_pool(settings)
    await prepare_database(pool, settings)
    client = await connect_temporal(settings)
    messenger = LineMessenger(settings)
    worker = build_worker(client, settings, pool, messenger)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with worker:
        logging.getLogger("worker").info("worker polling task queue %s", settings.temporal_task_queue)
        await stop.wait()
    await messenger.close()
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
