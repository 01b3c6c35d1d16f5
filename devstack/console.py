"""One terminal, several processes: every line gets a short coloured prefix naming its process."""

from __future__ import annotations

import os
import sys
from typing import TextIO

_COLOURS = {
    "devstack": "1;37",
    "temporal": "35",
    "postgres": "34",
    "worker": "33",
    "api": "36",
}
_PREFIX_WIDTH = max(len(name) for name in _COLOURS)


class Console:
    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self._stream = stream
        self._colour = stream.isatty() and "NO_COLOR" not in os.environ

    def line(self, source: str, text: str) -> None:
        prefix = f"{source:<{_PREFIX_WIDTH}} │"
        if self._colour:
            prefix = f"\033[{_COLOURS.get(source, '0')}m{prefix}\033[0m"
        self._stream.write(f"{prefix} {text}\n")
        self._stream.flush()

    def say(self, text: str) -> None:
        """A message from the development stack itself."""
        self.line("devstack", text)

    def block(self, lines: list[str]) -> None:
        """A block printed as is (the banner with the URLs)."""
        self._stream.write("\n".join(lines) + "\n")
        self._stream.flush()
