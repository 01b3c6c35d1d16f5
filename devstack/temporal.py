"""The Temporal dev server as `make run` starts it, and the search attributes operators rely on."""

from __future__ import annotations

import socket

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client

from devstack.binaries import temporal_cli
from devstack.config import LOCAL_HOST, StackPlan
from orchestration import search_attributes


def dev_server_command(plan: StackPlan, ui_port: int | None = None) -> list[str]:
    """The dev server's command; its UI on `ui_port` when the Temporal UI gateway stands in front
    of it on the UI's own port (devstack.temporal_ui), else on that port itself."""
    command = [
        str(temporal_cli()),
        "server",
        "start-dev",
        "--ip",
        LOCAL_HOST,
        "--port",
        str(plan.ports.temporal),
        "--ui-port",
        str(ui_port or plan.ports.temporal_ui),
        # SQLite on disk: workflows, timers and history survive a restart.
        "--db-filename",
        str(plan.temporal_db_file),
        # The server is chatty at "info"; warnings and errors are what a developer needs to see.
        "--log-level",
        "warn",
        # No internet needed: the UI would otherwise try to fetch a news feed.
        "--ui-disable-news-fetch",
        # Payloads are encrypted: the UI decodes them through the API's codec routes for a signed-in
        # administrator. "localhost" as in the UI's own address: the back office's session cookie
        # (SameSite=Lax) is only sent within the same site, and only for the host it was set on
        # (the back office must be opened at localhost too). The gateway makes the UI send it.
        "--ui-codec-endpoint",
        f"http://localhost:{plan.ports.api}/codec",
        *search_attributes.as_cli_flags(),
    ]
    if plan.namespace != "default":
        command += ["--namespace", plan.namespace]
    return command


async def ensure_search_attributes(client: Client) -> list[str]:
    """Registers the custom search attributes a server lacks (e.g. a fresh self-hosted one).

    The dev server already has them from its flags, and keeps them across restarts on the same
    database file; this is for servers started elsewhere. Returns the names it added."""
    known = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type)
        for key in search_attributes.ALL
        if key.name not in known.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)


def free_local_port() -> int:
    """A port nobody listens on now, for a server only this machine's processes reach."""
    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        return int(probe.getsockname()[1])
