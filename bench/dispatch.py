"""Dispatch benchmark: complete citizen reports with officer acknowledgements, end to end.

Starts the embedded stack as `make run` does (Temporal dev server on SQLite, embedded PostgreSQL,
the worker and the API under uvicorn as their own processes) in a temporary data folder on free
loopback ports, or attaches to a running development stack (--api-url, --temporal-address,
--database-url). Everything goes through HTTP as LINE would: simulated users are made on the API's
fake LINE platform (/dev/simulator), each step is a signed POST to /line/webhook, and the next step
is sent only once the bot's answer shows in the user's chat. An officer of the station the pins
route to registers on LINE with a one-time code and taps Acknowledge on every alert.

One run measures, in order:
  1. throughput: --reports complete reports, --concurrency at a time, as fast as the stack answers;
  2. the bare Temporal skeleton on the same dev server: a trivial workflow per report with the same
     webhook events as signals and the same number of no-op activities per step (counted from a
     real report's workflow histories), driven and served from this process, same count and
     concurrency; the ratio compares the two;
  3. an offered-load ladder (--rates, reports started per second for --step-seconds each), climbed
     until a target breaks or the throughput stops rising, within --ladder-minutes; the step at
     2 reports/s is always run, for the targets. At 2 reports/s only, after each acknowledgement the
     reporter writes one text on the open case, which the case relays to the acknowledging officer.
Figures: reports/s, webhook latency p50/p99 (client-side time of POST /line/webhook),
report-complete → officer-alert latency p50/p95 (the phone number's POST to the alert's delivery
time in the officer's chat), reporter message → officer latency p50/p95 at 2 reports/s (the text's
POST to the relayed words' delivery time in the officer's chat), the maximum sustained reports/s,
and the targets with PASS/FAIL.

Usage:
  python -m bench.dispatch                        # own stack, defaults (a few minutes)
  python -m bench.dispatch --reports 20 --rates 1,2 --step-seconds 20
  python -m bench.dispatch --api-url http://127.0.0.1:8000 --temporal-address 127.0.0.1:7233 \\
      --database-url postgresql://...             # the stack `make run` started

Only loopback addresses are used. Everything this script started is stopped on exit, Ctrl-C or
error. Exit code 0 when the figures were printed (whatever the verdicts), 1 on error, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from ipaddress import ip_address
from urllib.parse import urlsplit

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

import aiohttp
import asyncpg
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.directory import Directory
from bench.conversations import BANGKOK_PIN, STEPS, OfficerDesk, ReportResult, complete_report
from bench.cpu import cores_used
from bench.figures import ms, percentile, rate, verdict
from bench.history import activities_per_step, activities_scheduled
from bench.line import LineChannel
from bench.skeleton import SkeletonRun, run_skeleton
from bench.stack import OwnStack, Stack, run_measuring
from configuration.settings import DEVELOPMENT_CHANNEL_SECRET, Settings
from database.officer_codes import issue_registration_code
from database.pool import init_connection
from domain.escalation import ON_DUTY_ROLES
from domain.models import Location, RoutingRequest
from domain.pseudonyms import reporter_key
from orchestration.ids import intake_workflow_id
from places import geography

# Targets from the issue, on this 2-core machine.
TARGET_RATIO = 0.6
TARGET_WEBHOOK_P99 = 0.100
TARGET_ALERT_P95 = 1.0
TARGET_RELAY_P95 = 1.0
TARGET_RATE = 2.0
# A step sustains its offered load when it completes at least this share of it.
SUSTAINED_SHARE = 0.9
# A step must complete more than this times the previous step's rate to count as "still rising".
RISING = 1.05
CITIZEN_STEPS = 6  # follow, report, type, pin, confirm, phone; the officer's tap is the seventh event
WARM_UP_REPORTS = 2


@dataclass
class Phase:
    """Reports run under one load, and what was measured while they ran."""

    name: str
    results: list[ReportResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    webhook: list[float] = field(default_factory=list)
    seconds: float = 0.0
    offered: float | None = None
    cpu: str = "—"  # cores used per process while the phase ran

    @property
    def alerts(self) -> list[float]:
        return [r.complete_to_alert for r in self.results]

    @property
    def relays(self) -> list[float]:
        return [r.message_to_relay for r in self.results if r.message_to_relay is not None]

    @property
    def throughput(self) -> float | None:
        """Closed loop: reports over the wall time. Open loop: the pace of completions between
        the first and the last, which equals the offered rate when the stack keeps up."""
        if not self.results:
            return None
        if self.offered is None:
            return len(self.results) / self.seconds
        finished = sorted(r.finished for r in self.results)
        if len(finished) < 2 or finished[-1] == finished[0]:
            return None
        return (len(finished) - 1) / (finished[-1] - finished[0])

    def meets_latency_targets(self) -> bool:
        p99, p95 = percentile(self.webhook, 99), percentile(self.alerts, 95)
        return p99 is not None and p95 is not None and p99 <= TARGET_WEBHOOK_P99 and p95 <= TARGET_ALERT_P95

    def sustained(self) -> bool:
        achieved = self.throughput
        return (not self.failures and achieved is not None and self.offered is not None
                and achieved >= SUSTAINED_SHARE * self.offered and self.meets_latency_targets())


class Bench:
    def __init__(self, stack: Stack, args: argparse.Namespace, session: aiohttp.ClientSession,
                 client: Client, pool: asyncpg.Pool) -> None:
        self.stack = stack
        self.args = args
        self.client = client
        self.pool = pool
        self.channel = LineChannel(session, stack.api_url, args.channel_secret)
        self.desk: OfficerDesk | None = None
        self._numbers = iter(range(1, 10**9))

    # --- set-up ---------------------------------------------------------------------------

    async def register_officer(self) -> None:
        """An on-duty officer of the station the pins route to, registered on LINE by code."""
        location = Location(**BANGKOK_PIN)
        place = await asyncio.to_thread(geography.locate, location)
        route = await Directory(self.pool).route_case(RoutingRequest(case_no="BENCH", place=place, location=location))
        officer_code = await self._unlinked_officer(route.station.station_id)
        async with self.pool.acquire() as connection:
            code = await issue_registration_code(connection, officer_code, timedelta(hours=1))
        officer = await self.channel.new_user("เจ้าหน้าที่ทดสอบ")
        self.desk = OfficerDesk(self.channel, officer, self.args.poll_seconds)
        await self.desk.register(code)
        self.desk.start()
        say(f"officer of station {route.station.code} registered on LINE; pins route there by {route.method}")

    async def _unlinked_officer(self, station_id: int) -> str:
        code = await self.pool.fetchval(
            "SELECT code FROM officers WHERE station_id = $1 AND active AND line_user_id IS NULL "
            "AND role = ANY($2::text[]) ORDER BY id LIMIT 1",
            station_id, [str(role) for role in ON_DUTY_ROLES],
        )
        if code is not None:
            return code
        # An attached stack whose officers of this station are all linked already: add one.
        code = f"BENCH-{int(time.time() * 1000)}"
        await self.pool.execute(
            "INSERT INTO officers (code, name, rank_title, role, station_id) "
            "VALUES ($1, 'ร.ต.อ. ทดสอบ (benchmark)', 'ร.ต.อ.', 'INSPECTOR', $2)",
            code, station_id,
        )
        return code

    async def warm_up_and_count(self) -> list[list[int]]:
        """Two reports one after the other (warm caches), then the activities each step costs."""
        assert self.desk is not None
        officer_flow = intake_workflow_id(reporter_key(self.desk.user_id, Settings().pseudonym_key))
        before = await activities_scheduled(self.client, officer_flow)
        phase = await self.closed_loop("warm-up", WARM_UP_REPORTS, 1)
        if phase.failures or not phase.results:
            raise RuntimeError(f"warm-up reports failed: {phase.failures[:3]}")
        after = await activities_scheduled(self.client, officer_flow)
        officer_share = [round((a - b) / len(phase.results)) for a, b in zip(after, before, strict=True)]
        counts = await activities_per_step(self.client, phase.results[-1].case_no, CITIZEN_STEPS, officer_share)
        return [work if sum(work) else [1, 0] for work in counts]  # each step answers, so each has work

    # --- load -----------------------------------------------------------------------------

    async def one_report(self, phase: Phase, then_writes: bool = False) -> None:
        assert self.desk is not None
        try:
            result = await complete_report(self.channel, self.desk, self.args.poll_seconds, next(self._numbers),
                                           then_writes)
        except Exception as error:
            phase.failures.append(f"{type(error).__name__}: {error}")
        else:
            phase.results.append(result)

    async def closed_loop(self, name: str, reports: int, concurrency: int) -> Phase:
        phase = Phase(name)
        slots = asyncio.Semaphore(concurrency)

        async def limited() -> None:
            async with slots:
                await self.one_report(phase)

        first_request = len(self.channel.webhook_seconds)
        cpu_before = self.cpu_sample()
        started = time.perf_counter()
        await asyncio.gather(*(limited() for _ in range(reports)))
        phase.seconds = time.perf_counter() - started
        phase.webhook = self.channel.webhook_seconds[first_request:]
        phase.cpu = self.cpu_since(cpu_before, phase.seconds)
        return phase

    async def open_loop(self, offered: float, seconds: float, then_writes: bool = False) -> Phase:
        """Start a report every 1/offered seconds for `seconds`, then let them all finish; with
        `then_writes`, each reporter writes once more after the acknowledgement."""
        phase = Phase(f"{offered:g}/s", offered=offered)
        first_request = len(self.channel.webhook_seconds)
        cpu_before = self.cpu_sample()
        started = time.perf_counter()
        tasks = []
        for n in range(max(2, round(offered * seconds))):
            await asyncio.sleep(max(0.0, started + n / offered - time.perf_counter()))
            tasks.append(asyncio.create_task(self.one_report(phase, then_writes)))
        await asyncio.gather(*tasks)
        phase.seconds = time.perf_counter() - started
        phase.webhook = self.channel.webhook_seconds[first_request:]
        phase.cpu = self.cpu_since(cpu_before, phase.seconds)
        return phase

    def cpu_sample(self) -> dict[str, float]:
        return self.stack.cpu.sample() if self.stack.cpu else {}

    def cpu_since(self, before: dict[str, float], seconds: float) -> str:
        return cores_used(before, self.cpu_sample(), seconds) if self.stack.cpu else "—"

    async def ladder(self) -> list[Phase]:
        rates = sorted(set(self.args.rates) | {TARGET_RATE})
        budget_ends = time.monotonic() + self.args.ladder_minutes * 60
        steps: list[Phase] = []
        for offered in rates:
            climbing = not steps or (steps[-1].sustained() and _still_rising(steps))
            needed_for_targets = offered == TARGET_RATE
            in_budget = time.monotonic() + self.args.step_seconds + 20 < budget_ends
            if not needed_for_targets and not (climbing and in_budget):
                if offered > TARGET_RATE:
                    break
                continue
            say(f"offered load {offered:g} reports/s for {self.args.step_seconds:g} s …")
            # The reporter's later message only where its target is measured: the other steps
            # stay comparable with earlier runs.
            step = await self.open_loop(offered, self.args.step_seconds, then_writes=needed_for_targets)
            steps.append(step)
            say(f"  completed {len(step.results)}, failed {len(step.failures)}, at {rate(step.throughput)}")
        return steps

    async def close(self) -> None:
        if self.desk is not None:
            await self.desk.stop()


def _still_rising(steps: list[Phase]) -> bool:
    if len(steps) < 2:
        return True
    now, before = steps[-1].throughput, steps[-2].throughput
    return now is not None and before is not None and now > before * RISING


async def run_bench(stack: Stack, args: argparse.Namespace) -> int:
    # Bare Temporal for the skeleton: no payload codec, so the ratio counts what encryption costs
    # the real stack. The bench reads the real stack's histories only for their shape.
    client = await Client.connect(stack.temporal_address, namespace=stack.namespace,
                                  data_converter=pydantic_data_converter)
    pool = await asyncpg.create_pool(stack.database_url, min_size=1, max_size=4, init=init_connection)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=200)) as session:
        bench = Bench(stack, args, session, client, pool)
        try:
            await bench.register_officer()
            say("warming up with 2 reports, and counting what a report costs Temporal …")
            per_step = await bench.warm_up_and_count()
            say(f"per report: {len(per_step)} webhook events, activities per event {describe_work(per_step)}")
            say(f"throughput: {args.reports} complete reports, {args.concurrency} at a time …")
            full = await bench.closed_loop("throughput", args.reports, args.concurrency)
            say(f"skeleton: {args.reports} reports, {args.concurrency} at a time …")
            cpu_before = bench.cpu_sample()
            skeleton = await run_skeleton(client, per_step, args.reports, args.concurrency)
            skeleton_cpu = bench.cpu_since(cpu_before, skeleton.seconds)
            steps = await bench.ladder()
        finally:
            await bench.close()
            await pool.close()
    print_figures(args, stack, per_step, full, skeleton, skeleton_cpu, steps)
    return 0


def describe_work(per_step: list[list[int]]) -> str:
    regular, local = (sum(work[kind] for work in per_step) for kind in (0, 1))
    steps = ", ".join(f"{step_regular}+{step_local}" for step_regular, step_local in per_step)
    return f"[{steps}] (= {regular} regular + {local} local)"


def print_figures(args: argparse.Namespace, stack: Stack, per_step: list[list[int]], full: Phase,
                  skeleton: SkeletonRun, skeleton_cpu: str, steps: list[Phase]) -> None:
    skeleton_rate = args.reports / skeleton.seconds
    # The skeleton's counterpart of complete → alert: the phone number's signal to its step's last activity.
    skeleton_phone = skeleton.step_seconds[CITIZEN_STEPS - 1]
    ratio = full.throughput / skeleton_rate if full.throughput else None
    at_target = next((s for s in steps if s.offered == TARGET_RATE), None)
    sustained = [s for s in steps if s.sustained()]
    best = max(sustained, key=lambda s: s.throughput or 0, default=None)
    webhook_p99 = percentile(at_target.webhook, 99) if at_target else None
    alert_p95 = percentile(at_target.alerts, 95) if at_target else None
    relays = at_target.relays if at_target else []
    relay_p95 = percentile(relays, 95)

    lines = [
        "",
        "ESS Help Me — dispatch benchmark",
        f"  stack: {'own (temporary folder)' if stack.log_dir else 'attached'}, API {stack.api_url}, "
        f"Temporal {stack.temporal_address}",
        f"  per report: {len(per_step)} webhook events, activities per event (regular+local) {describe_work(per_step)}",
        "",
        f"Throughput ({args.reports} reports, {args.concurrency} at a time)",
        f"  full stack        {rate(full.throughput)}  ({len(full.results)} done in {full.seconds:.1f} s, "
        f"{len(full.failures)} failed)",
        f"  skeleton          {rate(skeleton_rate)}",
        f"  ratio             {'—' if ratio is None else f'{ratio:.3f}'}",
        f"  webhook latency   p50 {ms(percentile(full.webhook, 50))}, p99 {ms(percentile(full.webhook, 99))} "
        f"({len(full.webhook)} requests)",
        f"  complete → alert  p50 {ms(percentile(full.alerts, 50))}, p95 {ms(percentile(full.alerts, 95))}",
        f"  skeleton's phone step ({'+'.join(map(str, per_step[CITIZEN_STEPS - 1]))} activities in a row) p50 "
        f"{ms(percentile(skeleton_phone, 50))}, p95 {ms(percentile(skeleton_phone, 95))}",
        "  p50 per step (event sent → answer seen; the skeleton's: signal → its last activity ran)",
        "    " + "  ".join(f"{name} {ms(percentile([r.step_seconds[n] for r in full.results], 50))}"
                          f"/{ms(percentile(skeleton.step_seconds[n], 50))}" for n, name in enumerate(STEPS)),
        f"  CPU, full stack   {full.cpu}",
        f"  CPU, skeleton     {skeleton_cpu}",
        "",
        f"Offered-load ladder ({args.step_seconds:g} s per step)",
        f"  {'offered':>8} {'achieved':>9} {'webhook p50':>12} {'p99':>8} {'alert p50':>10} {'p95':>8} "
        f"{'done':>5} {'failed':>6}  sustained",
    ]
    for s in steps:
        lines.append(
            f"  {rate(s.offered):>8} {rate(s.throughput):>9} {ms(percentile(s.webhook, 50)):>12} "
            f"{ms(percentile(s.webhook, 99)):>8} {ms(percentile(s.alerts, 50)):>10} {ms(percentile(s.alerts, 95)):>8} "
            f"{len(s.results):>5} {len(s.failures):>6}  {'yes' if s.sustained() else 'no'}"
        )
    lines += [f"  CPU at {rate(s.offered)}: {s.cpu}" for s in steps]
    lines.append(f"  reporter message → officer at {TARGET_RATE:g} reports/s (sent after each acknowledgement): "
                 f"p50 {ms(percentile(relays, 50))}, p95 {ms(relay_p95)} ({len(relays)} messages)")
    keeping_up = [s for s in steps if not s.failures and (s.throughput or 0) >= SUSTAINED_SHARE * (s.offered or 0)]
    fastest = max(keeping_up, key=lambda s: s.throughput or 0, default=None)
    lines += [
        f"  maximum sustained {rate(best.throughput) if best else '— (no step met the latency targets)'}"
        + (f" (offered {rate(best.offered)})" if best else ""),
        f"  keeping up, latency aside: {rate(fastest.throughput) if fastest else '— (none)'}"
        + (f" (offered {rate(fastest.offered)})" if fastest else ""),
        "",
        "Targets",
        f"  throughput ratio to skeleton          {'—' if ratio is None else f'{ratio:.3f}':>8}  ≥ {TARGET_RATIO}"
        f"      {verdict(None if ratio is None else ratio >= TARGET_RATIO)}",
        f"  webhook p99 at {TARGET_RATE:g} reports/s            {ms(webhook_p99):>8}"
        f"  ≤ {TARGET_WEBHOOK_P99 * 1000:.0f} ms"
        f"  {verdict(None if webhook_p99 is None else webhook_p99 <= TARGET_WEBHOOK_P99)}",
        f"  complete → alert p95 at {TARGET_RATE:g} reports/s   {ms(alert_p95):>8}  ≤ {TARGET_ALERT_P95:g} s"
        f"     {verdict(None if alert_p95 is None else alert_p95 <= TARGET_ALERT_P95)}",
        f"  reporter message → officer p95 at {TARGET_RATE:g}/s {ms(relay_p95):>8}  ≤ {TARGET_RELAY_P95:g} s"
        f"     {verdict(None if relay_p95 is None else relay_p95 <= TARGET_RELAY_P95)}",
    ]
    failures = [f for phase in [full, *steps] for f in phase.failures]
    if failures:
        lines += ["", f"Failed reports: {len(failures)}; first: {failures[0]}"]
    print("\n".join(lines), flush=True)


def say(text: str) -> None:
    print(f"bench │ {text}", flush=True)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    load = parser.add_argument_group("load")
    load.add_argument("--reports", type=int, default=40, help="reports in the throughput phase (default 40)")
    load.add_argument("--concurrency", type=int, default=12, help="reports at a time in it (default 12)")
    load.add_argument("--rates", type=_rates, default=[0.5, 1.0, 2.0, 3.0, 4.0, 6.0],
                      help="offered loads to climb, reports/s (default 0.5,1,2,3,4,6; 2 is always run)")
    load.add_argument("--step-seconds", type=float, default=30.0,
                      help="reports are started for this long per step (default 30)")
    load.add_argument("--ladder-minutes", type=float, default=4.0, help="time budget of the ladder (default 4)")
    load.add_argument("--poll-seconds", type=float, default=0.1,
                      help="pause after a chat read that failed or timed out (default 0.1); reads wait for news")
    attach = parser.add_argument_group("attach to a running development stack instead of starting one")
    attach.add_argument("--api-url", help="e.g. http://127.0.0.1:8000 (with the LINE simulator)")
    attach.add_argument("--temporal-address", help="e.g. 127.0.0.1:7233")
    attach.add_argument("--database-url", help="the stack's PostgreSQL (the URL `make run` prints)")
    attach.add_argument("--namespace", default="default", help="Temporal namespace (default 'default')")
    parser.add_argument("--channel-secret", default=DEVELOPMENT_CHANNEL_SECRET,
                        help="LINE channel secret the webhook checks (default: the development one)")
    parser.add_argument("--keep-data", action="store_true", help="keep the own stack's temporary folder (logs)")
    args = parser.parse_args(argv)
    attached = [args.api_url, args.temporal_address, args.database_url]
    if any(attached) and not all(attached):
        parser.error("attaching needs --api-url, --temporal-address and --database-url together")
    for url in filter(None, [args.api_url, args.database_url, args.temporal_address and f"//{args.temporal_address}"]):
        if not _is_loopback(urlsplit(url).hostname or ""):
            parser.error("only loopback addresses (127.0.0.0/8, ::1, localhost) may be measured")
    return args


def _rates(text: str) -> list[float]:
    rates = [float(part) for part in text.split(",") if part.strip()]
    if not rates or any(r <= 0 for r in rates):
        raise argparse.ArgumentTypeError("a comma-separated list of positive reports/s")
    return rates


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    attached = own = None
    if args.api_url:
        attached = Stack(api_url=args.api_url, temporal_address=args.temporal_address,
                         namespace=args.namespace, database_url=args.database_url)
    else:
        own = OwnStack(args.namespace, keep_data=args.keep_data)
    return run_measuring(lambda stack: run_bench(stack, args), attached, own, say)


if __name__ == "__main__":
    sys.exit(main())
