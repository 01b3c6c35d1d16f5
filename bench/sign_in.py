"""Sign-in benchmark: does checking passwords hold up LINE's webhook?

argon2 costs tens of milliseconds of CPU per password. The API checks passwords in worker threads
(database.accounts.PASSWORD_THREADS at once), so the event loop that answers the webhook stays free.
This measures it: the webhook's latency with no other load, then while --attempts clients (default 20)
try to sign in without pause, on the same stack in the same run.

Starts the embedded stack as `make run` does (bench.stack), in a temporary folder on free loopback
ports, or attaches to a running development stack (--api-url). The webhook gets signed text messages
from simulated LINE users, --rate a second (default 10, --webhooks of them per phase). Each sign-in
attempt is a wrong password for an unknown username, as a guesser's would be, each from an address of
its own (X-Forwarded-For, which the stack believes from 127.0.0.1): every attempt costs a full argon2
check. The own stack lifts the service-wide cap on failures (ESS_SIGN_IN_FAILURES_PER_MINUTE) so that
no attempt is turned away before its check; an attached stack keeps its own, and attempts it turns
away are counted.

Figures: webhook p50/p99 unloaded and under the sign-in load, each under load as a ratio to the
unloaded one, sign-in attempts per second, and the target (webhook p99 ≤ 100 ms under load).

Usage:
  python -m bench.sign_in
  python -m bench.sign_in --attempts 20 --webhooks 300 --rate 10
  python -m bench.sign_in --api-url http://127.0.0.1:8000     # the stack `make run` started
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
import uuid
import warnings

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

import aiohttp

from bench.figures import ms, percentile, verdict
from bench.line import LineChannel, text
from bench.stack import OwnStack, Stack, run_measuring
from configuration.settings import DEVELOPMENT_CHANNEL_SECRET

TARGET_WEBHOOK_P99 = 0.100
USERS = 20
SIGN_IN_CSRF = re.compile(r'name="sign_in_csrf" value="([^"]+)"')
# An own stack: no attempt is turned away by the service-wide cap before its password is checked.
UNCAPPED = {"ESS_SIGN_IN_FAILURES_PER_MINUTE": "1000000000"}


class SignInLoad:
    """`clients` guessers, each trying a wrong password again as soon as it is answered."""

    def __init__(self, api_url: str, clients: int) -> None:
        self._api_url = api_url
        self._clients = clients
        self._stop = asyncio.Event()
        self.answers: dict[int, int] = {}
        self.seconds: list[float] = []

    async def run(self) -> None:
        await asyncio.gather(*(self._guesser(number) for number in range(self._clients)))

    def stop(self) -> None:
        self._stop.set()

    async def _guesser(self, number: int) -> None:
        attempt = 0
        # unsafe: the sign-in form's cookie comes from an IP address (127.0.0.1), which aiohttp's jar refuses.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60),
                                         cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            while not self._stop.is_set():
                attempt += 1
                address = f"10.{number}.{attempt // 256 % 256}.{attempt % 256}"
                started = time.perf_counter()
                async with http.get(f"{self._api_url}/office/sign-in") as form:
                    found = SIGN_IN_CSRF.search(await form.text())
                    if found is None:
                        raise RuntimeError("the sign-in form carries no CSRF token")
                    token = found.group(1)
                async with http.post(f"{self._api_url}/office/sign-in", headers={"x-forwarded-for": address},
                                     data={"username": f"bench-{uuid.uuid4().hex[:12]}", "password": "a wrong guess",
                                           "sign_in_csrf": token}, allow_redirects=False) as answer:
                    await answer.read()
                self.seconds.append(time.perf_counter() - started)
                self.answers[answer.status] = self.answers.get(answer.status, 0) + 1


async def webhook_latencies(line: LineChannel, users: list[str], count: int, rate: float) -> list[float]:
    """`count` signed webhook calls started `rate` a second (not waiting for each other)."""
    line.webhook_seconds.clear()
    calls = []
    for n in range(count):
        calls.append(asyncio.create_task(line.deliver(text(users[n % len(users)], "สวัสดี"))))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*calls)
    return list(line.webhook_seconds)


async def run_bench(api_url: str, args: argparse.Namespace) -> int:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30),
                                     connector=aiohttp.TCPConnector(limit=200)) as session:
        line = LineChannel(session, api_url, args.channel_secret)
        users = [await line.new_user(f"ผู้ทดสอบ {n}") for n in range(USERS)]
        say("warming up …")
        await webhook_latencies(line, users, USERS, args.rate)
        say(f"unloaded: {args.webhooks} webhook calls at {args.rate:g}/s …")
        unloaded = await webhook_latencies(line, users, args.webhooks, args.rate)
        say(f"under load: the same while {args.attempts} clients sign in without pause …")
        load = SignInLoad(api_url, args.attempts)
        guessing = asyncio.create_task(load.run())
        await asyncio.sleep(2)  # every guesser under way
        started = time.perf_counter()
        loaded = await webhook_latencies(line, users, args.webhooks, args.rate)
        seconds = time.perf_counter() - started
        load.stop()
        await guessing
    print_figures(args, unloaded, loaded, load, seconds)
    return 0


def print_figures(args: argparse.Namespace, unloaded: list[float], loaded: list[float], load: SignInLoad,
                  seconds: float) -> None:
    def ratio(p: float) -> str:
        base, under = percentile(unloaded, p), percentile(loaded, p)
        return f"× {under / base:.2f}" if base and under else "—"

    p99 = percentile(loaded, 99)
    answered = ", ".join(f"HTTP {status}: {count}" for status, count in sorted(load.answers.items()))
    print()
    print("Sign-in load and the LINE webhook")
    print(f"  webhook, unloaded           p50 {ms(percentile(unloaded, 50)):>7}"
          f"   p99 {ms(percentile(unloaded, 99)):>7}")
    print(f"  webhook, {args.attempts:>2} signing in       p50 {ms(percentile(loaded, 50)):>7} ({ratio(50)})"
          f"   p99 {ms(p99):>7} ({ratio(99)})")
    print(f"  sign-in attempts            {len(load.seconds) / seconds:.1f}/s over the loaded phase"
          f" (p50 {ms(percentile(load.seconds, 50))} each; {answered})")
    within_target = p99 is not None and p99 <= TARGET_WEBHOOK_P99
    print(f"  target: webhook p99 ≤ {ms(TARGET_WEBHOOK_P99)} under the load: {verdict(within_target)}")


def say(text: str) -> None:
    print(f"bench │ {text}", flush=True)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.sign_in", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=20, help="clients signing in at once (default 20)")
    parser.add_argument("--webhooks", type=int, default=300, help="webhook calls per phase (default 300)")
    parser.add_argument("--rate", type=float, default=10.0, help="webhook calls started per second (default 10)")
    parser.add_argument("--api-url", help="a running development stack, e.g. http://127.0.0.1:8000")
    parser.add_argument("--channel-secret", default=DEVELOPMENT_CHANNEL_SECRET,
                        help="LINE channel secret the webhook checks (default: the development one)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    attached = own = None
    if args.api_url:
        attached = Stack(api_url=args.api_url, temporal_address="", namespace="", database_url="")
    else:
        os.environ.update(UNCAPPED)  # the own stack's processes inherit it
        own = OwnStack()
    return run_measuring(lambda stack: run_bench(stack.api_url, args), attached, own, say)


if __name__ == "__main__":
    sys.exit(main())
