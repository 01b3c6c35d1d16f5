"""Releases for the upgrade drills: which release came before this one (from the recorded
histories' release.json files), that release's code checked out from git into a temporary worktree,
and its worker and API run as processes from there, exactly as the current ones run (`python
worker.py`; the image's uvicorn command), on the same virtual environment.

The virtual environment holds an editable install of the main checkout; a process started with its
working directory and PYTHONPATH at the worktree imports the worktree's packages first (PYTHONPATH
and the script's folder come before the editable finder), which `loaded_from` checks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from configuration.settings import Settings
from tests.e2e.conftest import PROJECT_ROOT
from tests.waiting import eventually
from tests.worker_environment import worker_environment

HISTORIES = PROJECT_ROOT / "tests" / "workflows" / "histories"
# Release 0.1.0 before its histories folder existed: the commit the first release was cut from.
FIRST_RELEASE = ("0.1.0", "64e9559")
START_SECONDS = 60
STOP_SECONDS = 40


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def current_version(root: Path = PROJECT_ROOT) -> str:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@dataclass(frozen=True)
class Release:
    version: str
    commit: str


def git(*arguments: str, cwd: Path = PROJECT_ROOT) -> str:
    done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"git {' '.join(arguments)}: {done.stderr[-2000:]}"
    return done.stdout.strip()


def previous_release(histories: Path = HISTORIES, current: str | None = None) -> Release:
    """The newest release whose histories folder (`<version>/release.json`) is older than the
    current version; release 0.1.0's commit when no folder says otherwise."""
    current = current or current_version()
    releases = []
    for manifest in histories.glob("*/release.json"):
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        assert recorded["version"] == manifest.parent.name, f"{manifest} names another version"
        if version_key(recorded["version"]) < version_key(current):
            releases.append(Release(recorded["version"], recorded["commit"]))
    if releases:
        return max(releases, key=lambda release: version_key(release.version))
    version, commit = FIRST_RELEASE
    assert version_key(version) < version_key(current), f"no release before {current} is recorded"
    return Release(version, git("rev-parse", commit))


def upgrade_from() -> Release:
    """The release a drill upgrades from: the previous one, or the commit ESS_DRILL_FROM names (to
    rehearse a deploy from whatever production runs)."""
    commit = os.environ.get("ESS_DRILL_FROM")
    if not commit:
        return previous_release()
    commit = git("rev-parse", commit)
    return Release(tomllib.loads(git("show", f"{commit}:pyproject.toml"))["project"]["version"], commit)


def upgrade_to() -> Path:
    """The code a drill upgrades to: this checkout, or the folder ESS_DRILL_TO names (e.g. a copy
    with a deliberate fault, to see the drill catch it)."""
    return Path(os.environ.get("ESS_DRILL_TO") or PROJECT_ROOT).resolve()


@contextlib.contextmanager
def release_tree(release: Release) -> Iterator[Path]:
    """The release's code in a temporary git worktree (detached at its commit), with the main
    checkout's virtual environment and front-end libraries linked in; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"ess-release-{release.version}-"))
    tree = folder / "tree"
    git("worktree", "add", "--detach", str(tree), release.commit)
    try:
        for linked in (".venv", "node_modules"):
            if (PROJECT_ROOT / linked).exists():
                (tree / linked).symlink_to(PROJECT_ROOT / linked)
        assert current_version(tree) == release.version, "the commit is not the release it claims to be"
        yield tree
    finally:
        git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(folder, ignore_errors=True)


def release_environment(root: Path, settings: Settings, **more: str) -> dict[str, str]:
    environment = worker_environment(settings, PYTHONUNBUFFERED="1", **more)
    environment["PYTHONPATH"] = str(root)
    return environment


def loaded_from(root: Path, settings: Settings, modules: list[str]) -> dict[str, str]:
    """Where the processes `ReleaseWorker` and `ReleaseApi` start in `root` import each module
    from: the same interpreter, working directory and environment, asked."""
    script = "import importlib, json, sys; print(json.dumps({m: importlib.import_module(m).__file__ " \
             "for m in sys.argv[1:]}))"
    done = subprocess.run([sys.executable, "-c", script, *modules], cwd=root,
                          env=release_environment(root, settings), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


class ReleaseProcess:
    """One process of a release, its output in a log file of its own; stop() is a deploy's SIGTERM."""

    def __init__(self, root: Path, command: list[str], environment: dict[str, str], name: str) -> None:
        self.root = root
        self.command = command
        self.environment = environment
        self.name = name
        self.log = Path(tempfile.mkstemp(prefix=f"ess-{name}-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def launch(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command, cwd=self.root, env=self.environment, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def stop(self) -> int | None:
        """SIGTERM, as a deploy stops a container, and wait for the process to end by itself."""
        if not self.alive():
            return None if self.process is None else self.process.returncode
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(self.process.wait, STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)
            raise AssertionError(f"{self.name} did not stop within {STOP_SECONDS} s of SIGTERM:\n"
                                 f"{self.output()[-3000:]}") from None

    def discard(self) -> None:
        """After the drill: kill whatever is left, remove the log."""
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait()
        self.log.unlink(missing_ok=True)


class ReleaseWorker(ReleaseProcess):
    def __init__(self, root: Path, settings: Settings, name: str, **more: str) -> None:
        super().__init__(root, [sys.executable, "worker.py"], release_environment(root, settings, **more), name)

    async def start(self) -> None:
        self.launch()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_SECONDS
        while "worker polling task queue" not in self.output():
            assert self.alive(), f"{self.name} stopped while starting:\n{self.output()[-3000:]}"
            assert loop.time() < deadline, f"{self.name} did not start:\n{self.output()[-3000:]}"
            await asyncio.sleep(0.1)


def image_api_arguments(root: Path, port: int) -> list[str]:
    """The release's image command (its Dockerfile's last CMD: uvicorn …), on `port`."""
    [cmd] = [line for line in (root / "Dockerfile").read_text(encoding="utf-8").splitlines()
             if line.startswith("CMD") and "uvicorn" in line][-1:]
    program, *arguments = json.loads(cmd.removeprefix("CMD").strip())
    assert program == "uvicorn", cmd
    arguments[arguments.index("--port") + 1] = str(port)
    arguments[arguments.index("--host") + 1] = "127.0.0.1"
    return [sys.executable, "-m", "uvicorn", *arguments]


class ReleaseApi(ReleaseProcess):
    def __init__(self, root: Path, settings: Settings, port: int, name: str, **more: str) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        super().__init__(root, image_api_arguments(root, port), release_environment(root, settings, **more), name)

    async def start(self) -> None:
        """Until it answers /health/live (uvicorn listens once its start-up, migrations included, is done)."""
        self.launch()
        async with httpx.AsyncClient(base_url=self.base_url, trust_env=False, timeout=2) as http:
            async def live() -> bool:
                assert self.alive(), f"{self.name} stopped while starting:\n{self.output()[-3000:]}"
                try:
                    return (await http.get("/health/live")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(live, timeout=START_SECONDS)


@contextlib.asynccontextmanager
async def discarded(*processes: ReleaseProcess) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.discard()


def versioning_environment(release: str) -> dict[str, str]:
    """What a worker of `release` is deployed with, as production deploys it: Worker Deployment
    Versioning on, build id = the release (a release from before versioning ignores both)."""
    return {"ESS_WORKER_VERSIONING": "true", "ESS_BUILD_ID": release}
