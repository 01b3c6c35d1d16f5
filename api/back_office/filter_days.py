"""Days typed into a back-office filter (?from=, ?to=, ?day=), read within the days the JSON API
takes: year 1 or 9999 is the reader's mistake, told on the page (422), never a failed query (500).

People write a day as Thais do, dd/mm/yyyy, the year in the Buddhist era (05/12/2569) or the common
era (05/12/2026): a year from 2400 on is read as Buddhist era (2400 BE is 1857 CE, and no case is
reported in 2400 CE), any other as common era. The page's own links and scripts send ISO days
(2026-12-05), read as they are."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from domain.clock import FIRST_SEARCHABLE_DAY, LAST_SEARCHABLE_DAY
from domain.dates import BUDDHIST_ERA_OFFSET

# Read as text, so a mistake reaches the page rather than FastAPI's bare JSON 422.
DayText = Annotated[str | None, Query(max_length=32)]
FromDay = Annotated[str | None, Query(alias="from", max_length=32)]
ToDay = Annotated[str | None, Query(alias="to", max_length=32)]

NOT_A_DAY = ("วันที่ต้องเขียนเป็น วัน/เดือน/ปี เช่น 05/12/2569 (พ.ศ.) หรือ 05/12/2026 (ค.ศ.)"
             " — a date must be written day/month/year, e.g. 05/12/2569 (Buddhist era) or 05/12/2026")
# dd/mm/yyyy, the day and month with one or two digits, separated by /, . or -.
THAI_WAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
ISO_WAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A year from here on is a Buddhist-era year.
FIRST_BUDDHIST_ERA_YEAR = 2400
OUTSIDE_THE_RANGE = (
    f"วันที่ต้องอยู่ระหว่าง ค.ศ. {FIRST_SEARCHABLE_DAY.year}–{LAST_SEARCHABLE_DAY.year} "
    f"— dates must be within {FIRST_SEARCHABLE_DAY.year}–{LAST_SEARCHABLE_DAY.year}"
)
FIRST_AFTER_LAST = "วันเริ่มต้องไม่หลังวันสิ้นสุด — the first day must not be after the last"
PROBLEM_STATUS = 422


class FilterProblem(ValueError):
    """What is wrong with the filter, Thai then English, to show above it."""


class ProblemPage(Exception):
    """A page already rendered with a filter problem, raised where the route cannot return it
    (a dependency); the back office answers with it as it is."""

    def __init__(self, response: Response) -> None:
        super().__init__("filter problem")
        self.response = response


def read_day(text: str | None) -> date | None:
    if not text:
        return None
    day = _day_of(text.strip())
    if not FIRST_SEARCHABLE_DAY <= day <= LAST_SEARCHABLE_DAY:
        raise FilterProblem(OUTSIDE_THE_RANGE)
    return day


def day_of(text: str) -> date:
    """A day as typed (dd/mm/yyyy in either era, or ISO), whatever its year; FilterProblem if none."""
    return _day_of(text.strip())


def _day_of(text: str) -> date:
    try:
        if ISO_WAY.fullmatch(text):
            return date.fromisoformat(text)
        if found := THAI_WAY.fullmatch(text):
            day, month, year = (int(part) for part in found.groups())
            if year >= FIRST_BUDDHIST_ERA_YEAR:
                year -= BUDDHIST_ERA_OFFSET
            return date(year, month, day)
    except ValueError:  # 31/02, month 13, year 0
        pass
    raise FilterProblem(NOT_A_DAY)


def read_period(first: str | None, last: str | None) -> tuple[date | None, date | None]:
    first_day, last_day = read_day(first), read_day(last)
    if first_day and last_day and first_day > last_day:
        raise FilterProblem(FIRST_AFTER_LAST)
    return first_day, last_day
