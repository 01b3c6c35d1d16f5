"""Dates as Thai officials read them: dd/mm/yyyy in Thailand's time, the Buddhist-era year
(CE + 543) for Thai readers, the common era for English readers."""

from datetime import datetime

from domain.clock import THAILAND
from domain.models import Language

BUDDHIST_ERA_OFFSET = 543


def format_date_time(moment: datetime, language: Language) -> str:
    local = moment.astimezone(THAILAND)
    year = local.year + (BUDDHIST_ERA_OFFSET if language == Language.THAI else 0)
    return f"{local.day:02d}/{local.month:02d}/{year} {local.hour:02d}:{local.minute:02d}"
