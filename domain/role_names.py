"""The roles' names in Thai (as the brief, the directory's spreadsheets and the back office write
them) and in English: the directory import reads them, and every page and message shows them."""

from __future__ import annotations

from domain.handoff import TeamRole
from domain.models import OfficerRole

# The police ranks.
OFFICER_ROLE_LABELS: dict[OfficerRole, tuple[str, str]] = {
    OfficerRole.RADIO_ROOM: ("ตำรวจห้องวิทยุ", "Radio-room police"),
    OfficerRole.CENTRE_191: ("ตำรวจศูนย์ 191", "191 centre police"),
    OfficerRole.COMMANDER: ("ผู้การ", "Provincial commander"),
    OfficerRole.DEPUTY_COMMANDER: ("รองผู้การ", "Deputy provincial commander"),
    OfficerRole.SUPERINTENDENT: ("ผู้กำกับ", "Superintendent"),
    OfficerRole.INSPECTOR: ("สารวัตร", "Inspector"),
    OfficerRole.DEPUTY_INSPECTOR: ("รองสารวัตร", "Deputy inspector"),
    OfficerRole.PATROL: ("พ.บ.", "Patrol officer"),
    OfficerRole.NATIONAL_DESK: ("ส่วนกลาง", "National desk"),
}
# The multidisciplinary team's posts.
TEAM_ROLE_LABELS: dict[TeamRole, tuple[str, str]] = {
    TeamRole.COORDINATOR: ("นักพัฒนาสังคมจังหวัด (ผู้ประสานทีม)", "Provincial social development officer (coordinator)"),
    TeamRole.SOCIAL_WORKER: ("นักสังคมสงเคราะห์", "Social worker"),
    TeamRole.CHILDRENS_HOME: ("เจ้าหน้าที่บ้านพักเด็กและครอบครัว", "Children's and family home staff"),
    TeamRole.OFFICE_HEAD: ("หัวหน้าสำนักงานพัฒนาสังคมฯ จังหวัด", "Head of the provincial social development office"),
    TeamRole.NATIONAL_DESK: ("ศูนย์ส่วนกลาง", "National desk"),
}
