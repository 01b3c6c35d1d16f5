"""Histories recorded from earlier versions of the workflows must replay on the current code:
a non-deterministic change (reordered activities, a new timer without `workflow.patched`) fails here.
Record new ones with `make record-histories` when a workflow changes on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from configuration.settings import Settings
from orchestration.client import data_converter
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow
from workflows.intake import IntakeWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_there_are_histories_of_each_workflow() -> None:
    kinds = {path.name.split(".")[1].rstrip("0123456789") for path in HISTORIES}
    assert kinds == {"intake", "case", "handoff"}


@pytest.mark.parametrize("path", HISTORIES, ids=[path.stem for path in HISTORIES])
async def test_a_recorded_history_replays_on_the_current_code(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    # The worker's converter: histories recorded before payloads were encrypted pass through its codec.
    replayer = Replayer(workflows=[IntakeWorkflow, CaseWorkflow, HandoffWorkflow],
                        data_converter=data_converter(Settings()))
    await replayer.replay_workflow(history)
