"""docker-compose.yml: PostgreSQL 16 for the application, Temporal on PostgreSQL, the Temporal UI.

Docker is not available where the tests run, so these read the file the way Compose would."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from workflows import search_attributes

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def published_ports(service: dict) -> set[str]:
    """'127.0.0.1:5432:5432' → '5432' (the port on the host)."""
    return {str(mapping).split(":")[-2] for mapping in service.get("ports", [])}


def test_the_application_database_is_postgresql_16_on_localhost_only(compose: dict) -> None:
    postgres = compose["services"]["postgres"]

    assert postgres["image"] == "postgres:16"
    assert postgres["ports"] == ["127.0.0.1:5432:5432"]
    assert "healthcheck" in postgres
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])


def test_the_database_url_in_the_instructions_matches_the_postgres_service(compose: dict) -> None:
    found = re.search(r"DATABASE_URL=(\S+)", COMPOSE_FILE.read_text(encoding="utf-8"))
    assert found, "the header shows how to point `make run` at these servers"
    url = urlsplit(found.group(1))
    env = compose["services"]["postgres"]["environment"]

    assert (url.username, url.password, url.path.lstrip("/"), url.port) == (
        env["POSTGRES_USER"],
        env["POSTGRES_PASSWORD"],
        env["POSTGRES_DB"],
        5432,
    )


def test_temporal_runs_on_postgresql_after_its_schema_is_in_place(compose: dict) -> None:
    services = compose["services"]
    temporal = services["temporal"]

    assert temporal["image"].startswith("temporalio/server:")
    assert temporal["environment"]["DB"] == "postgres12"
    assert temporal["environment"]["POSTGRES_SEEDS"] == "postgres"
    assert temporal["environment"]["POSTGRES_PWD"] == services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert temporal["depends_on"]["temporal-schema"]["condition"] == "service_completed_successfully"
    assert published_ports(temporal) == {"7233"}

    schema_job = services["temporal-schema"]
    assert schema_job["image"].startswith("temporalio/admin-tools:")
    assert schema_job["environment"]["SQL_PASSWORD"] == services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    script = "\n".join(schema_job["command"])
    for folder in ("temporal/versioned", "visibility/versioned"):
        assert folder in script


def test_the_search_attributes_operators_filter_on_are_registered(compose: dict) -> None:
    script = "\n".join(compose["services"]["temporal-setup"]["command"])
    in_loop = re.search(r"for attribute in ([\w: ]+);", script)
    assert in_loop
    registered = dict(pair.split(":") for pair in in_loop.group(1).split())
    expected = {
        key.name: key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_").title() for key in search_attributes.ALL
    }
    assert registered == expected


def test_the_temporal_ui_is_on_port_8080_and_talks_to_the_server(compose: dict) -> None:
    ui = compose["services"]["temporal-ui"]

    assert ui["image"].startswith("temporalio/ui:")
    assert published_ports(ui) == {"8080"}
    assert ui["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_every_dependency_and_config_named_exists(compose: dict) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for config in service.get("configs", []):
            assert config["source"] in compose["configs"], f"{name} uses unknown config {config['source']}"
    dynamic_config = yaml.safe_load(compose["configs"]["temporal-dynamic-config"]["content"])
    assert isinstance(dynamic_config, dict)
