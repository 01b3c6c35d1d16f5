"""Reporters for the drills, and the checks every drill ends with: every case present in
PostgreSQL with the right status and routing, each officer alerted once per rung, each person told
each thing once."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import asyncpg

from activities.directory import Directory
from domain.models import Location, OfficerRole, Route, RoutingRequest
from domain.postbacks import Postback
from line_simulator.line_platform import FakeLinePlatform
from places import geography
from tests.conversation import BANGKOK_PIN, CASE_NUMBER, CHIANG_MAI_PIN, Citizen, text_of
from tests.officers import linked_officer
from tests.waiting import eventually

TYPE_TAP = Postback(action="type", code="DETENTION").encode()
CONFIRM_TAP = Postback(action="confirm_location").encode()
# "แจ้งเหตุ", the type, the pin, the confirmation, the phone number: the bot answers each once.
REPORT_STEPS = 5
PINS = {"bangkok": BANGKOK_PIN, "chiang_mai": CHIANG_MAI_PIN}
_phone_numbers = itertools.count(1)


@dataclass
class Station:
    """Where a pin's cases go, and an on-duty officer there on LINE."""

    route: Route
    officer_line: str


async def station_for_pin(pool: asyncpg.Pool, platform: FakeLinePlatform, pin_name: str) -> Station:
    """The directory's route for the pin (what its cases must record), with an inspector of that
    station registered on LINE to hear the alerts."""
    location = Location(**PINS[pin_name])
    place = await asyncio.to_thread(geography.locate, location)
    route = await Directory(pool).route_case(RoutingRequest(case_no="DRILL", place=place, location=location))
    _, line_user = await linked_officer(pool, platform, OfficerRole.INSPECTOR, station_id=route.station.station_id)
    return Station(route, line_user)


@dataclass
class Reporter:
    """A citizen reporting a detention, one step at a time; what they send does not depend on
    what they heard (the buttons' data is known), so a drill may send ahead of the bot."""

    citizen: Citizen
    pin_name: str
    phone: str
    sent: int = 0
    extra_answers: int = 0  # bot messages expected beyond the report's five (e.g. an officer took the case)

    @property
    def user_id(self) -> str:
        return self.citizen.user_id

    async def send_next(self) -> None:
        step, citizen = self.sent, self.citizen
        if step == 0:
            await citizen.says("แจ้งเหตุ")
        elif step == 1:
            await citizen.taps_postback(TYPE_TAP)
        elif step == 2:
            await citizen.pins(**PINS[self.pin_name])
        elif step == 3:
            await citizen.taps_postback(CONFIRM_TAP)
        elif step == 4:
            await citizen.says(self.phone)
        else:
            raise AssertionError("the report has no more steps")
        self.sent += 1

    async def step(self, timeout: float = 30) -> None:
        """Send the next step and wait for the bot's answer, as a person does."""
        await self.send_next()
        await self.citizen.hears(timeout=timeout)

    async def steps(self, count: int, timeout: float = 30) -> None:
        for _ in range(count):
            await self.step(timeout)

    async def send_all(self) -> None:
        while self.sent < REPORT_STEPS:
            await self.send_next()

    def answers(self, platform: FakeLinePlatform) -> list[str]:
        return [text_of(entry.message) for entry in platform.bot_messages(self.user_id)]

    def case_no(self, platform: FakeLinePlatform) -> str | None:
        found = [match.group(0) for text in self.answers(platform) if (match := CASE_NUMBER.search(text))]
        return found[0] if found else None


def new_reporters(new_citizen: Callable[[], Citizen], *pin_names: str) -> list[Reporter]:
    """A reporter per pin, each a new LINE user with a phone number of their own."""
    return [Reporter(new_citizen(), pin_name, f"0812{next(_phone_numbers):06d}") for pin_name in pin_names]


async def until_answered(platform: FakeLinePlatform, reporters: list[Reporter], timeout: float) -> None:
    """Until every reporter has had an answer to each step sent (and any extra expected)."""
    def waiting() -> list[str]:
        return [f"{len(platform.bot_messages(r.user_id))} of {r.sent + r.extra_answers}" for r in reporters
                if len(platform.bot_messages(r.user_id)) < r.sent + r.extra_answers]

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while waiting() and loop.time() < deadline:
        await asyncio.sleep(0.2)
    late = waiting()
    assert not late, f"{len(late)} of {len(reporters)} reporters still wait for answers after {timeout:.0f} s " \
                     f"(answers heard: {', '.join(late)})"


async def until(condition: Callable[[], object], timeout: float = 20, what: str = "the condition") -> None:
    """Until `condition()` is truthy (e.g. a message shows in a chat), polled."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"{what} did not come within {timeout:.0f} s"
        await asyncio.sleep(0.05)


def repeated_messages(platform: FakeLinePlatform, user_id: str) -> list[str]:
    """Messages that reached this user's chat more than once (compared whole)."""
    counts = Counter(json.dumps(entry.message, sort_keys=True, ensure_ascii=False)
                     for entry in platform.bot_messages(user_id))
    return [text_of(json.loads(message)) for message, times in counts.items() if times > 1]


def alerts_about(platform: FakeLinePlatform, line_user: str, case_no: str) -> list[str]:
    """The alert titles an officer or team member received about one case, in order."""
    return [entry.message["altText"].split(":")[0] for entry in platform.bot_messages(line_user)
            if case_no in entry.message.get("altText", "")]


async def check_reports(pool: asyncpg.Pool, platform: FakeLinePlatform, reporters: list[Reporter],
                        stations: dict[str, Station], status: dict[str, str] | None = None) -> list[str]:
    """Every reporter finished, heard each of the bot's answers once, and has exactly one case in
    PostgreSQL: complete, of the type they chose, with their phone number, routed to their pin's
    station and its province's 191 centre, in the status expected (NEW unless `status` says
    otherwise, by reporter's user id), recorded on its timeline as reported, routed and alerted
    once each; the station's officer got exactly one first alert about it. Returns the case numbers."""
    case_numbers = []
    for reporter in reporters:
        answers = reporter.answers(platform)
        assert reporter.sent == REPORT_STEPS
        assert len(answers) == REPORT_STEPS + reporter.extra_answers, answers
        assert repeated_messages(platform, reporter.user_id) == []
        case_no = reporter.case_no(platform)
        assert case_no is not None and case_no in answers[REPORT_STEPS - 1], answers

        rows = await pool.fetch("select * from cases where line_user_id = $1", reporter.user_id)
        assert [row["case_no"] for row in rows] == [case_no]
        station = stations[reporter.pin_name]
        routed = partial(pool.fetchrow, "select * from cases where case_no = $1 and station_id is not null", case_no)
        row = await eventually(routed, timeout=30)
        expected_status = (status or {}).get(reporter.user_id, "NEW")
        assert (row["status"], row["complete"], row["incident_type_code"]) == (expected_status, True, "DETENTION")
        assert row["phone_e164"] == "+66" + reporter.phone[1:]
        assert row["station_id"] == station.route.station.station_id
        assert row["centre_id"] == (station.route.centre.station_id if station.route.centre else None)

        kinds = Counter(await eventually(partial(_timeline_with_alert, pool, case_no), timeout=30))
        assert (kinds["REPORTED"], kinds["ROUTED"], kinds["ALERTED"]) == (1, 1, 1), kinds
        await until(partial(alerts_about, platform, station.officer_line, case_no), 30, "the station's alert")
        assert alerts_about(platform, station.officer_line, case_no) == ["แจ้งเหตุใหม่"]
        case_numbers.append(case_no)
    assert len(set(case_numbers)) == len(reporters)
    for station in stations.values():
        assert repeated_messages(platform, station.officer_line) == []
    return case_numbers


async def _timeline_with_alert(pool: asyncpg.Pool, case_no: str) -> list[str] | None:
    kinds = [row["kind"] for row in await pool.fetch("select kind from case_events where case_no = $1", case_no)]
    return kinds if "ALERTED" in kinds else None
