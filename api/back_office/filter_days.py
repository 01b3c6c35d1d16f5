"""Days typed into a back-office filter (?from=, ?to=, ?day=), read within the days the JSON API
takes: year 1 or 9999 is the reader's mistake, told on the page (422), never a failed query (500)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from domain.clock import FIRST_SEARCHABLE_DAY, LAST_SEARCHABLE_DAY

# Read as text, so a mistake reaches the page rather than FastAPI's bare JSON 422.
DayText = Annotated[str | None, Query(max_length=32)]
FromDay = Annotated[str | None, Query(alias="from", max_length=32)]
ToDay = Annotated[str | None, Query(alias="to", max_length=32)]

NOT_A_DAY = "วันที่ต้องอยู่ในรูปแบบ YYYY-MM-DD — a date must be written YYYY-MM-DD"
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
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise FilterProblem(NOT_A_DAY) from None
    if not FIRST_SEARCHABLE_DAY <= day <= LAST_SEARCHABLE_DAY:
        raise FilterProblem(OUTSIDE_THE_RANGE)
    return day


def read_period(first: str | None, last: str | None) -> tuple[date | None, date | None]:
    first_day, last_day = read_day(first), read_day(last)
    if first_day and last_day and first_day > last_day:
        raise FilterProblem(FIRST_AFTER_LAST)
    return first_day, last_day
