"""The whole development stack in one process: start in order, watch, stop in reverse order."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable
from typing import TypeVar

from configuration.settings import Settings
from database import running_stacks
from devstack.children import ChildProcess
from devstack.config import LOCAL_HOST, PROJECT_ROOT, StackPlan, child_environment
from devstack.console import Console
from devstack.postgres import EmbeddedPostgres, migrate_and_load_reference_data
from devstack.readiness import NotReady, wait_for_http, wait_for_temporal
from devstack.temporal import dev_server_command, ensure_search_attributes, free_local_port
from devstack.temporal_ui import TemporalUiGateway

T = TypeVar("T")

TEMPORAL_START_SECONDS = 60
API_START_SECONDS = 90
# The worker finishes in-flight activities before it exits; Temporal retries whatever it cannot.
WORKER_STOP_GRACE_SECONDS = 30
OTHER_STOP_GRACE_SECONDS = 10


class StopRequested(Exception):
    pass


class ChildDied(Exception):
    def __init__(self, child: ChildProcess, code: int) -> None:
        super().__init__(f"{child.name} exited with code {code}")
        self.child = child
        self.code = code


class DevStack:
    def __init__(self, settings: Settings, plan: StackPlan, console: Console) -> None:
        self._settings = settings
        self._plan = plan
        self._console = console
        self._children: list[ChildProcess] = []
        self._postgres: EmbeddedPostgres | None = None
        self._temporal_ui: TemporalUiGateway | None = None
        self._embedded_database_url: str | None = None
        self._stop_requested = asyncio.Event()
        self._hurry = asyncio.Event()

    async def run(self) -> int:
        """Runs until Ctrl-C / SIGTERM (exit code 0) or until something fails (exit code 1)."""
        self._install_signal_handlers()
        exit_code = 0
        try:
            await self._start_everything()
            self._print_banner()
            await self._until_stopped(asyncio.Event().wait())
        except StopRequested:
            self._console.say("stopping (press Ctrl-C again to stop at once)")
        except ChildDied as death:
            self._console.say(
                f"{death.child.name} stopped unexpectedly (exit code {death.code}; its last lines are above, "
                f"all of them in {self._plan.log_dir / (death.child.name + '.log')}); stopping the rest"
            )
            exit_code = 1
        except NotReady as problem:
            self._console.say(f"could not start: {problem}")
            exit_code = 1
        except Exception as problem:
            self._console.say(f"could not start: {type(problem).__name__}: {problem}")
            exit_code = 1
        finally:
            await self._stop_everything()
        self._console.say("stopped" if exit_code == 0 else f"stopped after a failure; logs are in {self._plan.log_dir}")
        return exit_code

    # -- start -------------------------------------------------------------------------

    async def _start_everything(self) -> None:
        self._plan.data_dir.mkdir(parents=True, exist_ok=True)
        await self._start_temporal()
        database_url = await self._start_postgres()
        env = child_environment(self._plan, database_url)
        await self._start_child("worker", [sys.executable, "worker.py"], WORKER_STOP_GRACE_SECONDS, env=env)
        api = [
            sys.executable, "-m", "uvicorn", "api.app:app",
            "--host", LOCAL_HOST, "--port", str(self._plan.ports.api),
        ]
        await self._start_child("api", api, OTHER_STOP_GRACE_SECONDS, env=env)
        await self._until_stopped(wait_for_http(self._plan.api_url + "/health", API_START_SECONDS))

    async def _start_temporal(self) -> None:
        plan = self._plan
        if plan.external_temporal_address is None:
            plan.temporal_db_file.parent.mkdir(parents=True, exist_ok=True)
            self._console.say(f"starting the Temporal dev server on {plan.temporal_address}")
            # Its shutdown chatter (warnings between its own services) goes only to the log file.
            # Its UI listens where only the gateway reaches it; operators open the gateway.
            dev_server_ui_port = free_local_port()
            command = dev_server_command(plan, ui_port=dev_server_ui_port)
            await self._start_child("temporal", command, OTHER_STOP_GRACE_SECONDS, echo_while_stopping=False)
            self._temporal_ui = TemporalUiGateway(
                LOCAL_HOST, plan.ports.temporal_ui, f"http://{LOCAL_HOST}:{dev_server_ui_port}")
            await self._temporal_ui.start()
        else:
            self._console.say(f"using Temporal at {plan.temporal_address} (TEMPORAL_ADDRESS)")
        client = await self._until_stopped(
            wait_for_temporal(plan.temporal_address, plan.namespace, TEMPORAL_START_SECONDS)
        )
        added = await self._until_stopped(ensure_search_attributes(client))
        if added:
            self._console.say(f"registered search attributes: {', '.join(added)}")
        self._console.say("Temporal is ready")

    async def _start_postgres(self) -> str:
        if self._plan.external_database_url is None:
            self._console.say(f"starting PostgreSQL (data in {self._plan.postgres_dir})")
            self._postgres = EmbeddedPostgres(self._settings)
            self._embedded_database_url = await self._postgres.start()
            database_url = self._embedded_database_url
            # Command-line tools run with another ESS_DATA_DIR find this database through it.
            running_stacks.record(running_stacks.RunningStack(os.getpid(), self._plan.data_dir, database_url))
        else:
            self._console.say("using the PostgreSQL that DATABASE_URL names")
            database_url = self._plan.external_database_url
        await self._until_stopped(migrate_and_load_reference_data(database_url, self._settings))
        self._console.say("database migrated, reference data loaded")
        return database_url

    async def _start_child(
        self,
        name: str,
        argv: list[str],
        grace: float,
        env: dict[str, str] | None = None,
        echo_while_stopping: bool = True,
    ) -> None:
        child = ChildProcess(
            name,
            argv,
            env=env if env is not None else dict(os.environ),
            cwd=PROJECT_ROOT,
            console=self._console,
            log_file=self._plan.log_dir / f"{name}.log",
            stop_grace_seconds=grace,
            echo_while_stopping=echo_while_stopping,
        )
        await child.start()
        self._children.append(child)

    async def _until_stopped(self, step: Awaitable[T]) -> T:
        """Awaits a step, giving up when a stop is requested or a child dies meanwhile."""
        step_task = asyncio.ensure_future(step)
        stop_task = asyncio.ensure_future(self._stop_requested.wait())
        deaths = {asyncio.ensure_future(child.wait()): child for child in self._children}
        try:
            await asyncio.wait({step_task, stop_task, *deaths}, return_when=asyncio.FIRST_COMPLETED)
            for death, child in deaths.items():
                if death.done():
                    raise ChildDied(child, death.result())
            if stop_task.done():
                raise StopRequested()
            return step_task.result()
        finally:
            for task in (step_task, stop_task, *deaths):
                task.cancel()

    # -- stop --------------------------------------------------------------------------

    async def _stop_everything(self) -> None:
        # Reverse order of start: API, worker, Temporal (its UI's gateway first); PostgreSQL last.
        for child in reversed(self._children):
            if child.name == "temporal" and self._temporal_ui is not None:
                await self._temporal_ui.stop()
            if child.returncode is None:
                self._console.say(f"stopping {child.name}")
            await child.stop(self._hurry)
        if self._postgres is not None:
            running_stacks.forget(os.getpid())
            self._console.say("stopping PostgreSQL")
            await self._postgres.stop()

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)

    def _on_signal(self) -> None:
        if self._stop_requested.is_set():
            self._hurry.set()
        self._stop_requested.set()

    # -- banner ------------------------------------------------------------------------

    def _print_banner(self) -> None:
        plan = self._plan
        rows = [
            # At localhost, as the Temporal UI: its decoding needs the back office's session from there.
            ("Home", plan.browser_url + "/"),
            ("Back office", plan.browser_url + "/office  (demo accounts: admin, khlongtoei, bangkok-191 … "
                                f"password {self._settings.demo_password})"),
            ("API docs", plan.browser_url + "/docs"),
        ]
        if plan.uses_line_simulator:
            rows.append(("LINE simulator", plan.line_simulator_url))
        else:
            rows.append(("LINE webhook", plan.browser_url + "/line/webhook  (expose over HTTPS for LINE)"))
        if plan.temporal_ui_url:
            rows.append(("Temporal UI", plan.temporal_ui_url))
        rows.append(("Temporal", plan.temporal_address))
        if self._embedded_database_url:
            rows.append(("PostgreSQL", self._embedded_database_url))
        fresh_start_hint = "  (make clean-data starts afresh)" if plan.data_dir == PROJECT_ROOT / ".data" else ""
        rows.append(("Data", f"{plan.data_dir}{fresh_start_hint}"))
        rows.append(("Logs", str(plan.log_dir)))
        width = max(len(label) for label, _ in rows)
        self._console.block(
            ["", "  ESS Help Me is running. Ctrl-C stops everything.", ""]
            + [f"  {label:<{width}}  {value}" for label, value in rows]
            + [""]
        )


def run(settings: Settings, plan: StackPlan, console: Console) -> int:
    return asyncio.run(DevStack(settings, plan, console).run())

