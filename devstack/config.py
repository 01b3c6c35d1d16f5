"""What `make run` will start, decided once from the environment before anything starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from configuration.settings import (
    DEVELOPMENT_ACCESS_TOKEN,
    DEVELOPMENT_CHANNEL_SECRET,
    Settings,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOST = "127.0.0.1"
_QUIET_RUNTIME_DIR_WARNING = "ignore:XDG_RUNTIME_DIR is not set"


class DevStackPorts(BaseSettings):
    """Ports of the development stack; change them to run two stacks side by side."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    api: int = Field(8000, alias="ESS_API_PORT")
    temporal: int = Field(7233, alias="ESS_TEMPORAL_PORT")
    temporal_ui: int = Field(8233, alias="ESS_TEMPORAL_UI_PORT")


@dataclass(frozen=True)
class StackPlan:
    data_dir: Path
    ports: DevStackPorts
    namespace: str
    task_queue: str
    # None means: start our own (embedded PostgreSQL / Temporal dev server).
    external_database_url: str | None
    external_temporal_address: str | None
    # True when no LINE channel is configured: the API's LINE simulator plays LINE.
    uses_line_simulator: bool
    # ESS_PUBLIC_URL when set; None: the address a browser opens the API at (browser_url).
    public_url: str | None = None

    @property
    def temporal_address(self) -> str:
        return self.external_temporal_address or f"{LOCAL_HOST}:{self.ports.temporal}"

    @property
    def temporal_ui_url(self) -> str | None:
        if self.external_temporal_address:
            return None
        return f"http://localhost:{self.ports.temporal_ui}"

    @property
    def api_url(self) -> str:
        """Where this machine's processes reach the API (health checks, the LINE simulator's API)."""
        return f"http://{LOCAL_HOST}:{self.ports.api}"

    @property
    def browser_url(self) -> str:
        """Where people open the API: "localhost" like the Temporal UI, so the back office's session
        cookie reaches the codec endpoint from the UI (a cookie set for 127.0.0.1 never goes to
        localhost)."""
        return f"http://localhost:{self.ports.api}"

    @property
    def line_simulator_url(self) -> str:
        return f"{self.browser_url}/dev/"

    @property
    def fake_line_api_url(self) -> str:
        return f"{self.api_url}/dev/line-api"

    @property
    def fake_line_login_url(self) -> str:
        """Where the browser signs in with the fake LINE: on the simulator page's host, so the cookie
        the page sets for its current user reaches it and the alert's Open needs no extra tap."""
        return f"{self.browser_url}/dev/line-api"

    @property
    def postgres_dir(self) -> Path:
        return self.data_dir / "postgres"

    @property
    def temporal_db_file(self) -> Path:
        return self.data_dir / "temporal" / "temporal.db"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


def plan_stack(settings: Settings, ports: DevStackPorts) -> StackPlan:
    # `model_fields_set` tells "set in the environment or .env" apart from "left at the default".
    given = settings.model_fields_set
    return StackPlan(
        data_dir=settings.data_dir.resolve(),
        ports=ports,
        namespace=settings.temporal_namespace,
        task_queue=settings.temporal_task_queue,
        external_database_url=settings.database_url,
        external_temporal_address=settings.temporal_address if "temporal_address" in given else None,
        uses_line_simulator="line_channel_access_token" not in given,
        public_url=settings.public_url if "public_url" in given else None,
    )


def child_environment(plan: StackPlan, database_url: str, inherited: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment the worker and the API run with: every server they need, spelled out."""
    env = dict(inherited)
    env.update(
        ESS_DATA_DIR=str(plan.data_dir),
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=plan.temporal_address,
        TEMPORAL_NAMESPACE=plan.namespace,
        TEMPORAL_TASK_QUEUE=plan.task_queue,
        # Links in team members' LINE messages open the API on the port it really has.
        ESS_PUBLIC_URL=plan.public_url or plan.browser_url,
        # Child output goes through a pipe; unbuffered keeps it in step with the other processes.
        PYTHONUNBUFFERED="1",
        # The embedded PostgreSQL's helper warns on import when XDG_RUNTIME_DIR is unset (containers);
        # its fallback folder is fine, and the warning would greet every start.
        PYTHONWARNINGS=",".join(filter(None, [inherited.get("PYTHONWARNINGS"), _QUIET_RUNTIME_DIR_WARNING])),
    )
    # The worker runs as a version of the Worker Deployment, as in production, and makes itself the
    # current version (an older release's workers from an earlier `make run` are long gone).
    env.setdefault("ESS_WORKER_VERSIONING", "true")
    if plan.temporal_ui_url:
        env["ESS_TEMPORAL_UI_URL"] = plan.temporal_ui_url
    if plan.uses_line_simulator:
        # The simulator signs its webhooks and checks pushes with the same development secrets.
        env.update(
            LINE_API_BASE_URL=plan.fake_line_api_url,
            LINE_LOGIN_URL=plan.fake_line_login_url,
            LINE_CHANNEL_SECRET=DEVELOPMENT_CHANNEL_SECRET,
            LINE_CHANNEL_ACCESS_TOKEN=DEVELOPMENT_ACCESS_TOKEN,
        )
    return env
