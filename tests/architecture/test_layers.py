"""The folders are the architecture: each layer imports only the layers the README's table lets it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each production layer may import (besides itself and third-party libraries).
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "rendering": {"domain"},
    "places": {"domain"},
    "configuration": {"domain"},
    "database": {"configuration", "places", "domain"},
    "orchestration": {"configuration", "domain"},
    "activities": {"database", "rendering", "places", "configuration", "domain"},
    "workflows": {"activities", "orchestration", "rendering", "domain"},
    "api": {"workflows", "activities", "orchestration", "database", "rendering", "places", "configuration", "domain"},
    "tools": {"api", "workflows", "activities", "orchestration", "database", "rendering", "places", "configuration",
              "domain"},
    # Development only: signs webhooks as LINE does, with the API's own signature.
    "line_simulator": {"api", "configuration", "domain"},
}
# Single modules that reach further, each for one reason.
EXCEPTIONS: dict[str, set[str]] = {
    # The schedule names the workflow it starts and that workflow's argument.
    "orchestration/schedules.py": {"workflows", "activities"},
    # Mounts the simulator in development only, importing it there: the image does not hold it.
    "api/app.py": {"line_simulator"},
}
LAYERS = set(ALLOWED) | {"devstack", "bench", "tests", "worker"}


def _imported_layers(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        layers |= {name.split(".")[0] for name in names} & LAYERS
    return layers


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_below_it(layer: str) -> None:
    crossings = {
        f"{path.relative_to(ROOT)} imports {other}"
        for path in (ROOT / layer).rglob("*.py")
        for other in _imported_layers(path) - ALLOWED[layer] - {layer}
        - EXCEPTIONS.get(str(path.relative_to(ROOT)), set())
    }
    assert not crossings, sorted(crossings)


def test_the_production_image_does_not_ship_the_fake_line_platform() -> None:
    copied = {line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("COPY ")}
    assert "line_simulator" not in copied and "devstack" not in copied
    # Every other layer is in the image.
    assert set(ALLOWED) - {"line_simulator"} <= copied
