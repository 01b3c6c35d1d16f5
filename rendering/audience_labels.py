"""Who an escalation rung alerts (a case's, a hand-off's), in words (Thai, English): the settings page and
the timelines."""

from __future__ import annotations

from domain.handoff import TeamAudience
from domain.models import Audience

AUDIENCE_LABELS: dict[Audience, tuple[str, str]] = {
    Audience.STATION: ("เจ้าหน้าที่ของสถานี", "the station's officers"),
    Audience.SUPERINTENDENT: ("ผู้กำกับสถานี", "the station's superintendent"),
    Audience.CENTRE_191: ("ศูนย์ 191 ของจังหวัด", "the province's 191 centre"),
    Audience.COMMANDERS: ("ผู้บังคับการและรองผู้บังคับการจังหวัด", "the province's commanders"),
    Audience.NATIONAL_DESK: ("ศูนย์ส่วนกลาง", "the national desk"),
}
TEAM_AUDIENCE_LABELS: dict[TeamAudience, tuple[str, str]] = {
    TeamAudience.TEAM: ("ทีมสหวิชาชีพของจังหวัด", "the province's team"),
    TeamAudience.OFFICE_HEAD: ("หัวหน้าสำนักงานจังหวัด", "the head of the provincial office"),
    TeamAudience.NATIONAL_DESK: ("ศูนย์ส่วนกลาง", "the national desk"),
}
