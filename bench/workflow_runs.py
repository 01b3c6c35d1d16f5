"""What the history benchmarks share: a time-skipping test server ready for our workflows, and the
chain of runs a workflow continued through, printed run by run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from devstack.binaries import temporal_test_server
from orchestration import search_attributes
from orchestration.client import data_converter

CONTINUED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW


@dataclass
class Run:
    run_id: str
    events: int
    continued: bool


async def time_skipping_environment() -> WorkflowEnvironment:
    """The bundled test server, with our converter and search attributes."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server()), data_converter=data_converter(Settings()))
    await env.client.operator_service.add_search_attributes(AddSearchAttributesRequest(
        namespace=env.client.namespace,
        search_attributes={key.name: key.indexed_value_type for key in search_attributes.ALL},  # type: ignore[misc]
    ))
    return env


async def runs_of(client: Client, workflow_id: str, first_run_id: str) -> list[Run]:
    """The chain of runs from the first, by each run's continued-as-new event."""
    runs: list[Run] = []
    run_id: str | None = first_run_id
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        last = history.events[-1]
        continued = last.event_type == CONTINUED
        runs.append(Run(run_id, len(history.events), continued))
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id if continued else None
    return runs


def print_runs(runs: Sequence[Run], activity_calls: int) -> None:
    for number, run in enumerate(runs, start=1):
        print(f"  run {number}: {run.events:>6} events{'  → continued as new' if run.continued else ''}")
    total = sum(run.events for run in runs)
    print(f"runs: {len(runs)}; events: {total} in all, {max(run.events for run in runs)} in the longest run; "
          f"activities called: {activity_calls}")


def within_budget(runs: Sequence[Run], budget: int, allowance: int) -> bool:
    """Every run stayed under the budget, plus what a run finishes while it hands over."""
    return all(run.events <= budget + allowance for run in runs)
