"""A citizen's complete report and the officer's acknowledgement, paced as people are paced: each
step waits until the bot's answer shows in the user's chat before the next one is sent. On request
the reporter then writes once more on the open case, and the officer's chat shows the relayed words."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench import line
from bench.line import LineChannel

CASE_NUMBER = re.compile(r"ESS-\d{4}-\d{6}")
# Khlong Toei, Bangkok, as LINE's location picker sends it (title and a Thai postal address).
BANGKOK_PIN = {
    "title": "ซอยสุขุมวิท 22",
    "address": "ซอยสุขุมวิท 22 แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110 ประเทศไทย",
    "latitude": 13.7220,
    "longitude": 100.5600,
}
INCIDENT_TYPE = "THREAT_ASSAULT"
PHONE = "0812345678"  # synthetic
ANSWER_TIMEOUT = 60.0
# What the reporter writes after the acknowledgement; the report's number makes each one findable
# in the officer's chat, where every case's relays arrive.
REPORTER_WORDS = "เขายังอยู่หน้าบ้าน มีมีดด้วย"


class ConversationFailed(RuntimeError):
    pass


@dataclass
class ReportResult:
    case_no: str
    started: float  # perf_counter
    finished: float  # perf_counter: the officer's acknowledgement confirmed
    complete_to_alert: float  # seconds from the phone number's webhook POST to the alert in the officer's chat
    step_seconds: list[float] = field(default_factory=list)  # each of STEPS: its event sent → the bot's answer
    message_to_relay: float | None = None  # seconds from the reporter's later text to it in the officer's chat


class Listener:
    """Reads one user's chat the way the simulator page does: poll for new bot messages."""

    def __init__(self, channel: LineChannel, user_id: str, poll_seconds: float) -> None:
        self._channel = channel
        self.user_id = user_id
        self._poll = poll_seconds
        self._seen = 0

    async def answer(self, timeout: float = ANSWER_TIMEOUT) -> list[dict[str, Any]]:
        """The bot's next answer: the messages that arrived since the last one."""
        deadline = time.monotonic() + timeout
        while True:
            entries = await self._channel.bot_messages(self.user_id, self._seen)
            if entries:
                self._seen = entries[-1]["seq"]
                return [entry["message"] for entry in entries]
            if time.monotonic() > deadline:
                raise ConversationFailed(f"no answer from the bot within {timeout:.0f} s")


@dataclass
class _CaseNews:
    alert: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    relayed: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    reporter_words: str | None = None  # what the reporter wrote after the acknowledgement, once sent


class OfficerDesk:
    """The registered officer's phone: one reader of their chat hands each case its alert (with
    the time LINE delivered it), the confirmation of its acknowledgement and the reporter's relayed
    words (with the time LINE delivered them)."""

    def __init__(self, channel: LineChannel, user_id: str, poll_seconds: float) -> None:
        self.channel = channel
        self.user_id = user_id
        self._listener = Listener(channel, user_id, poll_seconds)
        self._poll = poll_seconds
        self._cases: dict[str, _CaseNews] = {}
        self._task: asyncio.Task | None = None

    async def register(self, code: str) -> str:
        await self.channel.deliver(line.text(self.user_id, f"ลงทะเบียน {code}"))
        answer = line.text_of((await self._listener.answer())[0])
        if "ลงทะเบียนแล้ว" not in answer:
            raise ConversationFailed("the officer's registration was refused")
        return answer

    def start(self) -> None:
        self._task = asyncio.create_task(self._read_chat())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def news(self, case_no: str) -> _CaseNews:
        return self._cases.setdefault(case_no, _CaseNews())

    async def _read_chat(self) -> None:
        seen = self._listener._seen
        while True:
            try:
                entries = await self.channel.bot_messages(self.user_id, seen)
            except Exception:
                entries = []
            if not entries:
                await asyncio.sleep(self._poll)  # a dropped long poll: don't spin
            for entry in entries:
                seen = entry["seq"]
                self._sort(entry)

    def _sort(self, entry: dict[str, Any]) -> None:
        message = entry["message"]
        words = line.text_of(message)
        found = CASE_NUMBER.search(words)
        if found is None:
            return
        news = self.news(found.group(0))
        delivered_at = datetime.fromisoformat(entry["at"]).timestamp()
        acknowledge = [a["data"] for a in line.postback_actions(message) if "code=ACKNOWLEDGE" in a["data"]]
        if news.reporter_words is not None and news.reporter_words in words and not news.relayed.done():
            news.relayed.set_result(delivered_at)
        elif acknowledge and not news.alert.done():
            news.alert.set_result((delivered_at, acknowledge[0]))
        elif not acknowledge and not news.done.done():
            news.done.set_result(line.text_of(message))


STEPS = ("follow", "report", "type", "pin", "confirm", "phone", "acknowledge")


async def complete_report(channel: LineChannel, desk: OfficerDesk, poll_seconds: float,
                          number: int, then_writes: bool = False) -> ReportResult:
    """follow → report → type → pin → confirm → phone, then the officer acknowledges the alert;
    with `then_writes`, the reporter then sends one text and it is awaited in the officer's chat."""
    started = time.perf_counter()
    citizen = await channel.new_user(f"ผู้แจ้ง {number}")
    bot = Listener(channel, citizen, poll_seconds)
    steps: list[float] = []

    async def step(event: dict[str, Any]) -> list[dict[str, Any]]:
        """Sends one event and waits for the bot's answer; keeps how long that took."""
        began = time.perf_counter()
        await channel.deliver(event)
        answer = await bot.answer()
        steps.append(time.perf_counter() - began)
        return answer

    await step(line.follow(citizen))
    types = await step(line.text(citizen, "แจ้งเหตุ"))
    await step(line.postback(citizen, _tap(types, f"code={INCIDENT_TYPE}")))
    confirmation = await step(line.location(citizen, BANGKOK_PIN))
    await step(line.postback(citizen, _tap(confirmation, "action=confirm_location")))
    phone_sent_at = time.time()
    found = CASE_NUMBER.search(" ".join(line.text_of(m) for m in await step(line.text(citizen, PHONE))))
    if found is None:
        raise ConversationFailed("the bot's last answer carried no case number")
    case_no = found.group(0)

    news = desk.news(case_no)
    alerted_at, acknowledge = await asyncio.wait_for(news.alert, ANSWER_TIMEOUT)
    tapped = time.perf_counter()
    await channel.deliver(line.postback(desk.user_id, acknowledge))
    answer = await asyncio.wait_for(news.done, ANSWER_TIMEOUT)
    steps.append(time.perf_counter() - tapped)
    if "ทำรายการไม่ได้" in answer:
        raise ConversationFailed("the acknowledgement was refused")
    result = ReportResult(case_no=case_no, started=started, finished=time.perf_counter(),
                          complete_to_alert=alerted_at - phone_sent_at, step_seconds=steps)
    if then_writes:
        news.reporter_words = f"{REPORTER_WORDS} ({number})"
        written_at = await channel.deliver(line.text(citizen, news.reporter_words))
        try:
            relayed_at = await asyncio.wait_for(news.relayed, ANSWER_TIMEOUT)
        except TimeoutError:
            raise ConversationFailed("the reporter's words did not reach the officer") from None
        result.message_to_relay = relayed_at - written_at
    return result


def _tap(messages: list[dict[str, Any]], wanted: str) -> str:
    """The data of the postback button whose data contains `wanted`, as a thumb would find it."""
    for message in reversed(messages):
        for action in line.postback_actions(message):
            if wanted in action["data"]:
                return action["data"]
    raise ConversationFailed(f"no button for {wanted!r} in the bot's answer")
