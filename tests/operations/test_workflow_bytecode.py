"""The worker writes the workflow modules' bytecode before it starts: Temporal's sandbox imports
a workflow's module afresh for every run, and without bytecode on disk (PYTHONDONTWRITEBYTECODE,
as on the development machines) each run would compile it again."""

from __future__ import annotations

import importlib.util
import logging
import shutil
from pathlib import Path

import pytest

from worker import WORKFLOW_MODULES, cache_workflow_bytecode


def bytecode_of(module: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(module)))


def fresh(module: Path) -> bool:
    """Whether an import would read the module's bytecode instead of compiling its source."""
    cached = bytecode_of(module)
    if not cached.exists():
        return False
    header = cached.read_bytes()[:16]  # magic, flags, the source's mtime and size (PEP 552)
    source = module.stat()
    return (header[:4] == importlib.util.MAGIC_NUMBER
            and int.from_bytes(header[8:12], "little") == int(source.st_mtime)
            and int.from_bytes(header[12:16], "little") == source.st_size)


@pytest.fixture
def workflow_copies(tmp_path: Path) -> Path:
    folder = tmp_path / "workflows"
    folder.mkdir()
    for module in WORKFLOW_MODULES.glob("*.py"):
        shutil.copy2(module, folder / module.name)
    return folder


def test_every_workflow_module_gets_bytecode_an_import_reads(workflow_copies: Path) -> None:
    modules = sorted(workflow_copies.glob("*.py"))
    assert {module.name for module in modules} >= {"intake.py", "case.py", "handoff.py"}
    assert not any(fresh(module) for module in modules)

    assert cache_workflow_bytecode(workflow_copies) is True

    assert all(fresh(module) for module in modules)


def test_a_changed_module_gets_new_bytecode(workflow_copies: Path) -> None:
    cache_workflow_bytecode(workflow_copies)
    intake = workflow_copies / "intake.py"
    intake.write_text(intake.read_text() + "\n# changed\n")

    assert not fresh(intake)
    assert cache_workflow_bytecode(workflow_copies) is True
    assert fresh(intake)


def test_where_bytecode_cannot_be_written_the_worker_says_so_and_goes_on(
        workflow_copies: Path, caplog: pytest.LogCaptureFixture) -> None:
    (workflow_copies / "__pycache__").write_text("a file where the folder would be")

    with caplog.at_level(logging.WARNING, logger="worker"):
        assert cache_workflow_bytecode(workflow_copies) is False

    assert "each workflow run compiles them" in caplog.text
