"""Where a workbook is written: a path or a binary file (a download's temporary file, a test's buffer)."""

from __future__ import annotations

import os
from os import PathLike
from typing import IO

Destination = str | PathLike[str] | IO[bytes]


def xlsxwriter_target(destination: Destination) -> str | IO[bytes]:
    """XlsxWriter takes a path as text, or a binary file."""
    return os.fspath(destination) if isinstance(destination, (str, PathLike)) else destination
