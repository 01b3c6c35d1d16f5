"""Temporal Schedules the worker keeps in place: the nightly retention run (workflows/retention.py).

Run at the worker's start, outside any workflow: creating the schedule the first time, and later
bringing it in line with the settings (a changed ESS_RETENTION_DAYS or task queue takes effect
from the next run after a worker starts with it). An operator's pause is left as it is.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from activities.retention import RetentionPolicy
from configuration.settings import Settings
from domain.clock import THAILAND_ZONE_NAME
from workflows.retention import RetentionWorkflow

RETENTION_SCHEDULE_ID = "ess-retention"
# Each run's workflow id: this, then the time of the run (the schedule adds it).
RETENTION_WORKFLOW_ID = "ess-retention"
# Nightly at 02:30 Thailand time, when hardly anyone reports.
RETENTION_AT = ScheduleCalendarSpec(hour=[ScheduleRange(2)], minute=[ScheduleRange(30)],
                                    comment="nightly at 02:30 Thailand time")
# Missed because Temporal was down: still run if it comes back within half a day.
RETENTION_CATCHUP_WINDOW = timedelta(hours=12)
# A run held up (PostgreSQL away for hours) gives up before the next night's starts; should one
# still be running then, the schedule skips that night (overlap SKIP) rather than stack runs.
RETENTION_RUN_TIMEOUT = timedelta(hours=20)


def retention_schedule(settings: Settings) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            RetentionWorkflow.run,
            RetentionPolicy(retention_days=settings.retention_days),
            id=RETENTION_WORKFLOW_ID,
            task_queue=settings.temporal_task_queue,
            execution_timeout=RETENTION_RUN_TIMEOUT,
        ),
        spec=ScheduleSpec(calendars=[RETENTION_AT], time_zone_name=THAILAND_ZONE_NAME),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=RETENTION_CATCHUP_WINDOW),
    )


async def ensure_retention_schedule(client: Client, settings: Settings) -> ScheduleHandle:
    """Creates the retention schedule, or updates the one there is (several workers starting
    together: one creates it, the others update it to the same)."""
    schedule = retention_schedule(settings)
    try:
        return await client.create_schedule(RETENTION_SCHEDULE_ID, schedule)
    except ScheduleAlreadyRunningError:
        pass
    handle = client.get_schedule_handle(RETENTION_SCHEDULE_ID)

    def keep_state(existing: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=dataclasses.replace(schedule, state=existing.description.schedule.state))

    await handle.update(keep_state)
    return handle
