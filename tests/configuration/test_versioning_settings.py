"""Worker Deployment Versioning's settings: on in production unless switched off, off in development
(where the tests' time-skipping server has no deployments); the build id is the release, pyproject.toml's
version, also when docker-compose passes an empty ESS_BUILD_ID through."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from configuration.settings import Settings, release_version
from devstack.config import DevStackPorts, child_environment, plan_stack
from tests.production import production_settings

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.fixture(autouse=True)
def no_versioning_in_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ["ESS_ENV", "ESS_WORKER_VERSIONING", "ESS_WORKER_DEPLOYMENT", "ESS_BUILD_ID",
                     "ESS_WORKER_PROMOTES"]:
        monkeypatch.delenv(variable, raising=False)


def test_the_build_id_is_the_release_in_pyproject() -> None:
    version = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
    assert release_version() == version
    assert Settings().build_id == version
    assert Settings(ESS_BUILD_ID="").build_id == version  # docker-compose's "${ESS_BUILD_ID:-}"
    assert Settings(ESS_BUILD_ID="0.9.1").build_id == "0.9.1"


def test_development_workers_are_unversioned_and_production_ones_versioned_unless_told() -> None:
    assert not Settings().worker_versioning
    assert Settings(ESS_WORKER_VERSIONING="true").worker_versioning
    assert production_settings().worker_versioning
    assert not production_settings(ESS_WORKER_VERSIONING="false").worker_versioning


def test_workers_promote_themselves_into_the_deployment_named_for_the_project_by_default() -> None:
    settings = Settings()
    assert (settings.worker_deployment, settings.worker_promotes) == ("ess-help-me", True)
    assert not Settings(ESS_WORKER_PROMOTES="false").worker_promotes


def test_make_run_versions_its_worker_unless_the_developer_says_otherwise() -> None:
    plan = plan_stack(Settings(), DevStackPorts())
    assert child_environment(plan, "postgresql://db", inherited={})["ESS_WORKER_VERSIONING"] == "true"
    inherited = {"ESS_WORKER_VERSIONING": "false"}
    assert child_environment(plan, "postgresql://db", inherited=inherited)["ESS_WORKER_VERSIONING"] == "false"
