"""`make run`: the whole service on this machine, in one terminal. See README.md."""

import sys
import warnings

# The embedded PostgreSQL's helper warns on import when XDG_RUNTIME_DIR is unset (containers, CI);
# it falls back to a folder in /tmp, which is fine here. (The children get the same filter.)
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

from configuration.settings import Settings
from devstack.config import DevStackPorts, plan_stack
from devstack.console import Console
from devstack.stack import run


def main() -> int:
    settings = Settings()
    return run(settings, plan_stack(settings, DevStackPorts()), Console())


if __name__ == "__main__":
    sys.exit(main())
