"""What `make run` starts, and what it tells the worker and the API, depends on the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from configuration.settings import (
    DEVELOPMENT_ACCESS_TOKEN,
    DEVELOPMENT_CHANNEL_SECRET,
    Settings,
)
from devstack.config import DevStackPorts, child_environment, plan_stack

CONTRACT_VARIABLES = (
    "DATABASE_URL",
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_TASK_QUEUE",
    "LINE_CHANNEL_SECRET",
    "LINE_CHANNEL_ACCESS_TOKEN",
    "LINE_API_BASE_URL",
    "LINE_LOGIN_URL",
    "ESS_API_PORT",
    "ESS_TEMPORAL_PORT",
    "ESS_TEMPORAL_UI_PORT",
    "ESS_PUBLIC_URL",
)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in CONTRACT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    monkeypatch.setenv("ESS_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def test_by_default_everything_is_started_locally_and_line_is_simulated(clean_environment) -> None:
    plan = plan_stack(Settings(), DevStackPorts())

    assert plan.external_database_url is None
    assert plan.external_temporal_address is None
    assert plan.temporal_address == "127.0.0.1:7233"
    assert plan.temporal_ui_url == "http://localhost:8233"
    assert plan.api_url == "http://127.0.0.1:8000"

    env = child_environment(plan, "postgresql://postgres:@/postgres?host=/tmp/x", inherited={})
    assert env["LINE_API_BASE_URL"] == "http://127.0.0.1:8000/dev/line-api"
    # The browser signs in with the fake LINE on the simulator page's host, where its LINE cookie is.
    assert env["LINE_LOGIN_URL"] == "http://localhost:8000/dev/line-api"
    assert plan.line_simulator_url.startswith(env["LINE_LOGIN_URL"].removesuffix("/line-api"))
    assert env["LINE_CHANNEL_SECRET"] == DEVELOPMENT_CHANNEL_SECRET
    assert env["LINE_CHANNEL_ACCESS_TOKEN"] == DEVELOPMENT_ACCESS_TOKEN
    assert env["DATABASE_URL"] == "postgresql://postgres:@/postgres?host=/tmp/x"
    assert env["TEMPORAL_ADDRESS"] == "127.0.0.1:7233"
    assert env["ESS_TEMPORAL_UI_URL"] == "http://localhost:8233"
    assert env["ESS_PUBLIC_URL"] == "http://localhost:8000"
    assert Path(env["ESS_DATA_DIR"]).is_absolute()


def test_ports_can_be_moved_so_two_stacks_fit_on_one_machine(clean_environment) -> None:
    clean_environment.setenv("ESS_API_PORT", "18000")
    clean_environment.setenv("ESS_TEMPORAL_PORT", "17233")
    clean_environment.setenv("ESS_TEMPORAL_UI_PORT", "18233")

    plan = plan_stack(Settings(), DevStackPorts())
    env = child_environment(plan, "postgresql://db", inherited={})

    assert env["TEMPORAL_ADDRESS"] == "127.0.0.1:17233"
    assert env["ESS_TEMPORAL_UI_URL"] == "http://localhost:18233"
    assert env["LINE_API_BASE_URL"] == "http://127.0.0.1:18000/dev/line-api"
    # Team members' links and the home page's open the API where it is, at localhost like the UI.
    assert env["ESS_PUBLIC_URL"] == plan.browser_url == "http://localhost:18000"


def test_a_public_url_given_is_kept_whatever_the_port(clean_environment) -> None:
    clean_environment.setenv("ESS_API_PORT", "18000")
    clean_environment.setenv("ESS_PUBLIC_URL", "https://ess-dev.example.org")

    plan = plan_stack(Settings(), DevStackPorts())

    assert child_environment(plan, "postgresql://db", inherited={})["ESS_PUBLIC_URL"] == "https://ess-dev.example.org"


def test_a_configured_line_channel_is_used_as_it_is(clean_environment) -> None:
    clean_environment.setenv("LINE_CHANNEL_SECRET", "real-secret")
    clean_environment.setenv("LINE_CHANNEL_ACCESS_TOKEN", "real-token")

    plan = plan_stack(Settings(), DevStackPorts())
    env = child_environment(
        plan,
        "postgresql://db",
        inherited={"LINE_CHANNEL_SECRET": "real-secret", "LINE_CHANNEL_ACCESS_TOKEN": "real-token"},
    )

    assert not plan.uses_line_simulator
    assert "LINE_API_BASE_URL" not in env  # the API's own default: LINE itself
    assert "LINE_LOGIN_URL" not in env  # LINE's own sign-in page
    assert env["LINE_CHANNEL_SECRET"] == "real-secret"
    assert env["LINE_CHANNEL_ACCESS_TOKEN"] == "real-token"


def test_servers_named_in_the_environment_are_used_instead_of_starting_our_own(clean_environment) -> None:
    clean_environment.setenv("DATABASE_URL", "postgresql://app@db.internal/ess")
    clean_environment.setenv("TEMPORAL_ADDRESS", "temporal.internal:7233")

    plan = plan_stack(Settings(), DevStackPorts())
    env = child_environment(plan, plan.external_database_url, inherited={})

    assert plan.external_database_url == "postgresql://app@db.internal/ess"
    assert plan.external_temporal_address == "temporal.internal:7233"
    assert plan.temporal_ui_url is None
    assert env["TEMPORAL_ADDRESS"] == "temporal.internal:7233"
    assert env["DATABASE_URL"] == "postgresql://app@db.internal/ess"
