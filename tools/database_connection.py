"""The database for a command-line tool's single run: DATABASE_URL; in development, else the
embedded server under ESS_DATA_DIR if it runs, else the one running `make run` (started with
another ESS_DATA_DIR). A tool never starts a server: with no database running it says what to set
and exits with status 2."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from configuration.settings import Settings, get_settings
from database.pool import init_connection
from database.running_stacks import running_embedded_url, running_stacks

EXIT_NO_DATABASE = 2


class NoDatabase(Exception):
    """What to set, in Thai and English; names folders, never a connection's secrets."""


def tool_database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    if not settings.is_development:
        raise NoDatabase("ต้องตั้งค่า DATABASE_URL / Set DATABASE_URL to the application's database.")
    own = running_embedded_url((settings.data_dir / "postgres").resolve())
    if own is not None:
        return own
    stacks = running_stacks()
    if len(stacks) == 1:
        [stack] = stacks
        print(f"ใช้ฐานข้อมูลของ make run ที่ ESS_DATA_DIR={stack.data_dir} / "
              f"using the database of the make run with ESS_DATA_DIR={stack.data_dir}", file=sys.stderr)
        return stack.database_url
    if stacks:
        folders = ", ".join(str(stack.data_dir) for stack in stacks)
        raise NoDatabase(
            f"มี make run ทำงานอยู่หลายชุด ตั้งค่า ESS_DATA_DIR เป็นโฟลเดอร์ของชุดที่ต้องการ: {folders} / "
            f"Several make run stacks are running: set ESS_DATA_DIR to the one you mean: {folders}")
    raise NoDatabase(
        f"ไม่พบฐานข้อมูลที่ทำงานอยู่ใน {settings.data_dir} — เริ่ม make run ก่อน หรือตั้งค่า ESS_DATA_DIR ให้ตรงกับ "
        "make run ที่ทำงานอยู่ หรือ DATABASE_URL / "
        f"No database is running in {settings.data_dir}: start make run first, or set ESS_DATA_DIR to the "
        "running make run's folder, or DATABASE_URL.")


async def tool_pool(settings: Settings, *, max_size: int = 1) -> asyncpg.Pool:
    """A pool on the tool's database; with none, the message on stderr and exit status 2."""
    try:
        url = tool_database_url(settings)
    except NoDatabase as problem:
        print(problem, file=sys.stderr)
        raise SystemExit(EXIT_NO_DATABASE) from None
    pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size, init=init_connection)
    assert pool is not None
    return pool


@asynccontextmanager
async def database_connection() -> AsyncIterator[asyncpg.Connection]:
    pool = await tool_pool(get_settings())
    try:
        async with pool.acquire() as connection:
            yield connection
    finally:
        await pool.close()
