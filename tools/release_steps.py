"""Release steps: what waits until no process of the previous release runs.

    python -m tools.release_steps list                 # each step, done or waiting
    python -m tools.release_steps complete <step>      # once the deploy is over; prints what moved

A release that writes something the previous release cannot read (a status it does not know) holds
it back while the two may run side by side; the operator completes the step when the last process
of the previous release has stopped (see the README's release procedure). Completing a step is
idempotent. A new database has no previous release: its migrations mark every step done.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from database import cases, release_steps
from tools.database_connection import database_connection


async def list_steps() -> int:
    async with database_connection() as connection:
        done = await release_steps.done_steps(connection)
    for step, meaning in release_steps.STEPS.items():
        state = f"done {done[step]:%d/%m/%Y %H:%M} UTC" if step in done else "waiting"
        print(f"{step}\t{state}\t{meaning}")
    return 0


async def complete(step: str) -> int:
    if step not in release_steps.STEPS:
        print(f"no such release step: {step} (known: {', '.join(release_steps.STEPS)})", file=sys.stderr)
        return 2
    async with database_connection() as connection, connection.transaction():
        marked = await release_steps.mark_done(connection, step)
        # What the step held back, for every case it held back (it is the only step so far).
        moved = await cases.hand_over_accepted_cases(connection)
    print(f"{step}: {'done now' if marked else 'already done'}; cases moved to HANDED_OVER: {moved}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.release_steps", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="each step, done or waiting")
    completing = commands.add_parser("complete", help="mark a step done once the previous release is gone")
    completing.add_argument("step", help=", ".join(release_steps.STEPS))
    args = parser.parse_args(argv)
    if args.command == "list":
        return asyncio.run(list_steps())
    return asyncio.run(complete(args.step))


if __name__ == "__main__":
    sys.exit(main())
