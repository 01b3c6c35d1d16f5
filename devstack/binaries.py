"""Where the Temporal binaries that come from PyPI packages live: next to this Python."""

import shutil
import sys
from pathlib import Path


def _beside_python(name: str) -> Path:
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return candidate
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found; install the project with `make install`")
    return Path(found)


def temporal_cli() -> Path:
    return _beside_python("temporal")


def temporal_test_server() -> Path:
    return _beside_python("temporal-test-server")
