"""A download written to a temporary file first (constant memory however many rows), sent as
`<name>-<today>.<suffix>`, then deleted."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from domain.clock import THAILAND


async def file_download(name: str, suffix: str, media_type: str,
                        write: Callable[[str], Awaitable[None]]) -> FileResponse:
    handle, path = tempfile.mkstemp(prefix="ess-export-", suffix=f".{suffix}")
    os.close(handle)
    try:
        await write(path)
    except BaseException:
        os.unlink(path)
        raise
    today = datetime.now(THAILAND).date()
    return FileResponse(path, media_type=media_type, filename=f"{name}-{today.isoformat()}.{suffix}",
                        background=BackgroundTask(os.unlink, path), headers={"Cache-Control": "private, no-store"})
