"""Thailand's time: UTC+7 all year (no daylight saving), so a fixed offset is exact."""

from datetime import date, datetime, time, timedelta, timezone

THAILAND = timezone(timedelta(hours=7), "Asia/Bangkok")


def thai_year(moment: datetime) -> int:
    return moment.astimezone(THAILAND).year


def thai_midnight(day: date) -> datetime:
    """The moment a Thailand day starts."""
    return datetime.combine(day, time.min, tzinfo=THAILAND)
