"""Thailand's time: UTC+7 all year (no daylight saving), so a fixed offset is exact."""

from datetime import date, datetime, time, timedelta, timezone

# Thailand's zone in the tz database, as Temporal Schedules and time-zone boundaries name it.
THAILAND_ZONE_NAME = "Asia/Bangkok"
THAILAND = timezone(timedelta(hours=7), THAILAND_ZONE_NAME)


def thai_year(moment: datetime) -> int:
    return moment.astimezone(THAILAND).year


def thai_midnight(day: date) -> datetime:
    """The moment a Thailand day starts."""
    return datetime.combine(day, time.min, tzinfo=THAILAND)
