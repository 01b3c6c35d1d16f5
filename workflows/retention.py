"""Retention (PDPA): the nightly forgetting of personal data, started by a Temporal Schedule
(orchestration/schedules.py).

The story: the cut-off is now minus the retention period, fixed once at the start so every retry
and every round agrees on it. The cases whose police part and hand-offs ended before the cut-off
lose their personal data and keep their statistics, batch by batch, each case audited in
PostgreSQL; the activity goes on while it finds cases, and the workflow asks again until nothing is
left, or until a night's share is done (what is left waits for the next night). It returns how many
cases it anonymised: its history holds counts, never a case number or personal data.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.retention import AnonymiseRequest, RetentionPolicy, RetentionStore
    from orchestration import options

# A night's share: this many activity runs (by default 25 batches of 200 cases each, so up to a
# million cases a night); a first run on a large backlog spreads over a few nights.
MAX_ROUNDS = 200
ANONYMISING: options.HeartbeatingCallOptions = {
    # A batch is one transaction of a few hundred cases: seconds. The heartbeat comes after each.
    "start_to_close_timeout": timedelta(minutes=30),
    "heartbeat_timeout": timedelta(minutes=2),
    # PostgreSQL away: retry until it is back (the schedule skips the next night meanwhile).
    "retry_policy": RetryPolicy(maximum_interval=timedelta(minutes=1)),
}


@workflow.defn
class RetentionWorkflow:
    @workflow.run
    async def run(self, policy: RetentionPolicy) -> int:
        closed_before = workflow.now() - timedelta(days=policy.retention_days)
        anonymised = 0
        for _ in range(MAX_ROUNDS):
            done = await workflow.execute_activity_method(
                RetentionStore.anonymise_closed_cases,
                AnonymiseRequest(closed_before=closed_before, batch_size=policy.batch_size,
                                 max_batches=policy.batches_per_run),
                **ANONYMISING,
            )
            anonymised += done.count
            if not done.more:
                break
        else:
            workflow.logger.warning("retention: a night's share done, more cases are left for the next run")
        workflow.logger.info("retention: %d cases anonymised", anonymised)
        return anonymised


# The same workflow for versioned workers (worker.py registers it instead when ESS_WORKER_VERSIONING
# is on): pinned, so a night's run finishes on the release it started on (its version's workers
# stay until it ends) and the next night's run starts on the current version; it is short, so no
# release needs to replay another's history of it. The server refuses any versioning behaviour from
# an unversioned worker ("versioning behavior cannot be specified without deployment options"): the
# unversioned workers register RetentionWorkflow above.
@workflow.defn(name="RetentionWorkflow", versioning_behavior=VersioningBehavior.PINNED)
class PinnedRetentionWorkflow(RetentionWorkflow):
    @workflow.run
    async def run(self, policy: RetentionPolicy) -> int:
        return await super().run(policy)
