"""Thailand's time: UTC+7 all year (no daylight saving), so a fixed offset is exact."""

from datetime import date, datetime, time, timedelta, timezone

# Thailand's zone in the tz database, as Temporal Schedules and time-zone boundaries name it.
THAILAND_ZONE_NAME = "Asia/Bangkok"
THAILAND = timezone(timedelta(hours=7), THAILAND_ZONE_NAME)
# The days a search or filter may name. Far past either end, Thai midnight is no timestamp
# PostgreSQL takes (year 1), or the day after the last is no date at all (9999-12-31).
FIRST_SEARCHABLE_DAY, LAST_SEARCHABLE_DAY = date(2000, 1, 1), date(2999, 12, 31)


def thai_year(moment: datetime) -> int:
    return moment.astimezone(THAILAND).year


def thai_midnight(day: date) -> datetime:
    """The moment a Thailand day starts."""
    return datetime.combine(day, time.min, tzinfo=THAILAND)
