"""The default escalation ladder, used when an incident type has none of its own.
Incident types carry their ladders as data, so administrators can tune them."""

from datetime import timedelta

from domain.models import Audience, EscalationRung, OfficerRole

# The STATION audience: the officers on duty at the station. Its superintendent is a rung above.
ON_DUTY_ROLES = frozenset(
    {OfficerRole.RADIO_ROOM, OfficerRole.INSPECTOR, OfficerRole.DEPUTY_INSPECTOR, OfficerRole.PATROL}
)

DEFAULT_LADDER: list[EscalationRung] = [
    EscalationRung(after=timedelta(0), audiences=[Audience.STATION]),
    EscalationRung(after=timedelta(minutes=3), audiences=[Audience.SUPERINTENDENT, Audience.CENTRE_191]),
    EscalationRung(after=timedelta(minutes=10), audiences=[Audience.COMMANDERS]),
    EscalationRung(after=timedelta(minutes=20), audiences=[Audience.NATIONAL_DESK]),
]


def ladder_for(escalation: list[EscalationRung]) -> list[EscalationRung]:
    return sorted(escalation or DEFAULT_LADDER, key=lambda rung: rung.after)
