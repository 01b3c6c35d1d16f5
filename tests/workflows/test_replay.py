"""Histories recorded by every earlier release of the workflows must replay on the current code:
a non-deterministic change (reordered activities, a new timer without `workflow.patched`) fails here.

Each release's histories live in a folder of their own, tests/workflows/histories/<version>/, with a
release.json saying which commit recorded them. A folder is recorded once (`make record-histories`
after bumping pyproject.toml's version) and never rewritten: workflows still running in production
were started by those releases, whatever the current code looks like."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from configuration.settings import Settings
from orchestration.client import data_converter
from workflows.case import CaseWorkflow
from workflows.handoff import HandoffWorkflow
from workflows.intake import IntakeWorkflow

HISTORIES = Path(__file__).parent / "histories"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
RELEASE = re.compile(r"\d+\.\d+\.\d+")
RELEASES = sorted((folder for folder in HISTORIES.iterdir() if folder.is_dir()), key=lambda folder: folder.name)
RECORDED = sorted(path for folder in RELEASES for path in folder.glob("*.json") if path.name != "release.json")


def _kind(path: Path) -> str:
    """"full_report.case0.json" -> "case"."""
    return path.name.split(".")[1].rstrip("0123456789")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_each_release_folder_is_named_for_a_release_and_says_which_commit_recorded_it() -> None:
    assert {folder.name for folder in RELEASES} >= {"0.0.0", "0.1.0"}
    assert not list(HISTORIES.glob("*.json")), "histories belong in their release's folder"
    for folder in RELEASES:
        assert RELEASE.fullmatch(folder.name), folder
        release = json.loads((folder / "release.json").read_text())
        assert release["version"] == folder.name
        assert re.fullmatch(r"[0-9a-f]{40}", release["commit"]), folder
        date.fromisoformat(release["recorded"])


@pytest.mark.parametrize("folder", RELEASES, ids=[folder.name for folder in RELEASES])
def test_each_release_has_histories_of_each_workflow(folder: Path) -> None:
    kinds = {_kind(path) for path in folder.glob("*.json") if path.name != "release.json"}
    assert kinds == {"intake", "case", "handoff"}


def _changes_to_release_folders(repository: Path) -> list[str]:
    """Every commit that modified or deleted a file under a release's folder. Without rename
    detection, a move into a folder (how the histories from before numbered releases got there) is
    an addition there, and a move out of one a deletion."""
    log = subprocess.run(
        ["git", "log", "--no-renames", "--diff-filter=MD", "--name-status", "--format=commit %H",
         "--", "tests/workflows/histories/*/*"],
        cwd=repository, capture_output=True, text=True, check=True,
    ).stdout
    changes, commit = [], ""
    for line in log.splitlines():
        if line.startswith("commit "):
            commit = line.removeprefix("commit ")[:9]
        elif line.strip():
            changes.append(f"{commit} {line}")
    return changes


def test_release_folders_are_append_only() -> None:
    """No commit rewrote or deleted a release's recorded history: record a new release instead."""
    if not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    assert _changes_to_release_folders(PROJECT_ROOT) == []


@pytest.mark.parametrize("path", RECORDED, ids=[_id(path) for path in RECORDED])
async def test_a_recorded_history_replays_on_the_current_code(path: Path) -> None:
    history = WorkflowHistory.from_json(_id(path), path.read_text())
    # The worker's converter: histories recorded before payloads were encrypted pass through its codec.
    replayer = Replayer(workflows=[IntakeWorkflow, CaseWorkflow, HandoffWorkflow],
                        data_converter=data_converter(Settings()))
    await replayer.replay_workflow(history)
