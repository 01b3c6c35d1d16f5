"""Every row of the directory's sheets checked before anything is written: each bad row is reported
with its sheet, row number, column and a reason in Thai and English. Headers may be Thai or English.
Pure: what the database already holds comes in as Known."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from database.directory.report import ImportProblem
from database.directory.sheets import STATIONS_SHEET, Sheet, heading
from domain.agencies import AGENCY_KIND_LABELS, AgencyKind
from domain.case_rules import STATION_ROLES
from domain.handoff import TeamRole
from domain.models import OfficerRole, StationKind
from domain.phone import read_phone_number
from domain.role_names import OFFICER_ROLE_LABELS, TEAM_ROLE_LABELS

# Column → the headers it may have (compared in lower case, "_" read as a space).
STATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("station code", "รหัสสถานี"),
    "kind": ("kind", "ประเภท"),
    "name_th": ("name th", "name (thai)", "ชื่อภาษาไทย", "ชื่อสถานี"),
    "name_en": ("name en", "name (english)", "ชื่อภาษาอังกฤษ"),
    "province_code": ("province code", "รหัสจังหวัด"),
    "district_codes": ("district codes", "รหัสอำเภอ"),
    "latitude": ("latitude", "ละติจูด"),
    "longitude": ("longitude", "ลองจิจูด"),
    "phone": ("phone", "โทรศัพท์"),
}
OFFICER_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("officer code", "รหัสเจ้าหน้าที่"),
    "name": ("name", "ชื่อ-นามสกุล", "ชื่อ"),
    "rank_title": ("rank title", "rank", "ยศ"),
    "role": ("role", "บทบาท"),
    "station_code": ("station code", "รหัสสถานี"),
    "province_code": ("province code", "รหัสจังหวัด"),
    "phone": ("phone", "โทรศัพท์"),
}
TEAM_MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("member code", "team member code", "รหัสสมาชิก", "รหัสสมาชิกทีม"),
    "name": ("name", "ชื่อ-นามสกุล", "ชื่อ"),
    "role": ("role", "บทบาท"),
    "province_code": ("province code", "รหัสจังหวัด"),
    "organisation": ("organisation", "organization", "หน่วยงาน"),
    "phone": ("phone", "โทรศัพท์"),
    "active": ("active", "ใช้งาน"),
}
AGENCY_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("agency code", "รหัสหน่วยงาน"),
    "kind": ("kind", "ประเภท", "ประเภทหน่วยงาน"),
    "name_th": ("name th", "name (thai)", "ชื่อภาษาไทย", "ชื่อหน่วยงาน"),
    "name_en": ("name en", "name (english)", "ชื่อภาษาอังกฤษ"),
    "province_code": ("province code", "รหัสจังหวัด"),
    "phone": ("phone", "โทรศัพท์"),
    "note": ("note", "หมายเหตุ"),
    "active": ("active", "ใช้งาน"),
}
STATION_KINDS = {"STATION": StationKind.STATION, "สถานีตำรวจ": StationKind.STATION,
                 "CENTRE_191": StationKind.CENTRE_191, "ศูนย์ 191": StationKind.CENTRE_191}
ROLES = {role.value: role for role in OfficerRole} | {thai: role for role, (thai, _) in OFFICER_ROLE_LABELS.items()}
PROVINCE_ROLES = (OfficerRole.COMMANDER, OfficerRole.DEPUTY_COMMANDER)
TEAM_ROLES = {role.value: role for role in TeamRole} | {thai: role for role, (thai, _) in TEAM_ROLE_LABELS.items()}
# An agency's kind: its code, or its Thai or English name (compared in upper case, spaces collapsed).
AGENCY_KINDS = {kind.value: kind for kind in AgencyKind} | {
    " ".join(name.split()).upper(): kind for kind, names in AGENCY_KIND_LABELS.items() for name in names}
# The active column: empty means active.
ACTIVE_VALUES = {"": True, "yes": True, "y": True, "true": True, "1": True, "ใช่": True, "ใช้งาน": True,
                 "no": False, "n": False, "false": False, "0": False, "ไม่": False, "ไม่ใช้งาน": False}
# Thailand's bounding box, with a little sea around it.
LATITUDES, LONGITUDES = (5.5, 20.6), (97.3, 105.7)
# Centres may list a short emergency number (191) as their phone.
SHORT_CODE_DIGITS = range(3, 5)


@dataclass
class Known:
    """What the database already holds that rows may name."""

    provinces: set[str]
    districts: dict[str, str]  # district code → province code
    stations: dict[str, tuple[StationKind, str]]  # code → (kind, province) already in the database


@dataclass
class Checked:
    """Rows that passed, ready to write, and every problem found."""

    stations: list[dict] = field(default_factory=list)
    officers: list[dict] = field(default_factory=list)
    team_members: list[dict] = field(default_factory=list)
    agencies: list[dict] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(self, sheet: str, row: int, column: str, reason_th: str, reason_en: str) -> None:
        self.problems.append(
            ImportProblem(sheet=sheet, row=row, column=column, reason_th=reason_th, reason_en=reason_en))


def check_directory(stations: Sheet | None, officers: Sheet | None, team_members: Sheet | None,
                    known: Known, agencies: Sheet | None = None) -> Checked:
    """The rows that passed and every problem found; rows are written only when there is none."""
    checked = Checked()
    available = check_stations(stations, known, checked) if stations else dict(known.stations)
    if officers:
        check_officers(officers, known, available, checked)
    if team_members:
        check_team_members(team_members, known, checked)
    if agencies:
        check_agencies(agencies, known, checked)
    if stations is None and officers is None and team_members is None and agencies is None:
        checked.problem(STATIONS_SHEET, 1, "-", "ไม่พบแผ่นงาน stations, officers, team_members หรือ agencies",
                        "no stations, officers, team_members or agencies sheet")
    return checked


def _columns(sheet: Sheet, wanted: dict[str, tuple[str, ...]], checked: Checked) -> dict[str, int]:
    """Column positions by name; an unknown or repeated header is a problem."""
    aliases = {alias: column for column, names in wanted.items() for alias in names}
    positions: dict[str, int] = {}
    for index, header in enumerate(sheet.header):
        key = heading(header)
        if not key:
            continue
        column = aliases.get(key)
        if column is None:
            checked.problem(sheet.name, 1, header, "ไม่รู้จักหัวคอลัมน์นี้", "unknown column header")
        elif column in positions:
            checked.problem(sheet.name, 1, header, "หัวคอลัมน์ซ้ำ", "column appears twice")
        else:
            positions[column] = index
    return positions


def _records(sheet: Sheet, positions: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    for number, cells in sheet.rows:
        yield number, {
            column: cells[index] if index < len(cells) else "" for column, index in positions.items()
        }


def _phone(value: str, *, short_code_allowed: bool) -> str | bool | None:
    """E.164 (or a short code), None when empty, False when not a Thai phone number."""
    if not value:
        return None
    if short_code_allowed and value.isdigit() and len(value) in SHORT_CODE_DIGITS:
        return value
    number = read_phone_number(value)
    return number.e164 if number.valid else False


def _coordinate(value: str, bounds: tuple[float, float]) -> float | bool | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return False
    return number if bounds[0] <= number <= bounds[1] else False


def check_stations(sheet: Sheet, known: Known, checked: Checked) -> dict[str, tuple[StationKind, str]]:
    """Checks the stations sheet; returns the stations the officers sheet may name (new and known)."""
    positions = _columns(sheet, STATION_COLUMNS, checked)
    for required in ("code", "name_th", "province_code"):
        if required not in positions:
            checked.problem(sheet.name, 1, STATION_COLUMNS[required][0], "ไม่มีคอลัมน์ที่จำเป็น", "required column missing")
    available = dict(known.stations)
    seen: dict[str, int] = {}
    for number, row in _records(sheet, positions):
        def bad(column: str, th: str, en: str, number: int = number) -> None:
            checked.problem(sheet.name, number, STATION_COLUMNS[column][0], th, en)

        problems_before = len(checked.problems)
        code, province = row.get("code", ""), row.get("province_code", "")
        _check_required_and_unique(row, ("code", "name_th", "province_code"), positions, seen, number, bad)
        kind = STATION_KINDS.get(row.get("kind", "").upper() or StationKind.STATION.value)
        if kind is None:
            bad("kind", "ประเภทต้องเป็น STATION หรือ CENTRE_191", "kind must be STATION or CENTRE_191")
        if province and province not in known.provinces:
            bad("province_code", "ไม่พบรหัสจังหวัดนี้", "unknown province code")
        districts = [d.strip() for d in row.get("district_codes", "").replace(";", ",").split(",") if d.strip()]
        for district in districts:
            if district not in known.districts:
                bad("district_codes", f"ไม่พบรหัสอำเภอ {district}", f"unknown district code {district}")
            elif province and known.districts[district] != province:
                bad("district_codes", f"อำเภอ {district} ไม่อยู่ในจังหวัดนี้", f"district {district} is not in this province")
        if districts and kind == StationKind.CENTRE_191:
            bad("district_codes", "ศูนย์ 191 ไม่ต้องระบุอำเภอ", "a 191 centre covers its province, not districts")
        latitude = _coordinate(row.get("latitude", ""), LATITUDES)
        longitude = _coordinate(row.get("longitude", ""), LONGITUDES)
        if latitude is False:
            bad("latitude", "ละติจูดไม่อยู่ในประเทศไทย", "latitude is not a number inside Thailand")
        if longitude is False:
            bad("longitude", "ลองจิจูดไม่อยู่ในประเทศไทย", "longitude is not a number inside Thailand")
        if (latitude is None) != (longitude is None):
            bad("latitude" if latitude is None else "longitude", "ต้องกรอกทั้งละติจูดและลองจิจูด",
                "give both latitude and longitude, or neither")
        phone = _phone(row.get("phone", ""), short_code_allowed=kind == StationKind.CENTRE_191)
        if phone is False:
            bad("phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "not a valid Thai phone number")
        if len(checked.problems) == problems_before and kind is not None:
            checked.stations.append(
                {
                    "code": code, "kind": kind.value, "name_th": row["name_th"],
                    "name_en": row.get("name_en") or row["name_th"], "province_code": province,
                    "latitude": latitude, "longitude": longitude, "phone": phone, "district_codes": districts,
                    "has_districts": "district_codes" in positions,
                }
            )
        if code and kind and province:
            available[code] = (kind, province)
    return available


def check_officers(sheet: Sheet, known: Known, stations: dict[str, tuple[StationKind, str]], checked: Checked) -> None:
    positions = _columns(sheet, OFFICER_COLUMNS, checked)
    for required in ("code", "name", "role"):
        if required not in positions:
            checked.problem(sheet.name, 1, OFFICER_COLUMNS[required][0], "ไม่มีคอลัมน์ที่จำเป็น", "required column missing")
    seen: dict[str, int] = {}
    for number, row in _records(sheet, positions):
        def bad(column: str, th: str, en: str, number: int = number) -> None:
            checked.problem(sheet.name, number, OFFICER_COLUMNS[column][0], th, en)

        problems_before = len(checked.problems)
        code, station_code, province = row.get("code", ""), row.get("station_code", ""), row.get("province_code", "")
        _check_required_and_unique(row, ("code", "name", "role"), positions, seen, number, bad)
        role = ROLES.get(row.get("role", "").upper())
        if row.get("role") and role is None:
            bad("role", "ไม่รู้จักบทบาทนี้", "unknown role")
        station = stations.get(station_code)
        if station_code and station is None:
            bad("station_code", "ไม่พบรหัสสถานีนี้", "unknown station code")
        if province and province not in known.provinces:
            bad("province_code", "ไม่พบรหัสจังหวัดนี้", "unknown province code")
        elif province and station and station[1] != province:
            bad("province_code", "จังหวัดไม่ตรงกับจังหวัดของสถานี", "province differs from the station's province")
        if role in STATION_ROLES and not (station and station[0] == StationKind.STATION):
            if not station_code:
                bad("station_code", "บทบาทนี้ต้องระบุสถานี", "this role needs a station")
            elif station:
                bad("station_code", "บทบาทนี้ต้องอยู่ที่สถานีตำรวจ", "this role belongs at a police station")
        if role == OfficerRole.CENTRE_191 and not (station and station[0] == StationKind.CENTRE_191):
            bad("station_code", "ต้องระบุรหัสศูนย์ 191", "a 191 centre officer needs the centre's code")
        if role in PROVINCE_ROLES and not (province or station):
            bad("province_code", "บทบาทนี้ต้องระบุจังหวัด", "this role needs a province")
        phone = _phone(row.get("phone", ""), short_code_allowed=False)
        if phone is False:
            bad("phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "not a valid Thai phone number")
        if len(checked.problems) == problems_before and role is not None:
            checked.officers.append(
                {
                    "code": code, "name": row["name"], "rank_title": row.get("rank_title") or None,
                    "role": role.value, "station_code": station_code or None,
                    "province_code": (None if role == OfficerRole.NATIONAL_DESK
                                      else (province or (station[1] if station else None))),
                    "phone": phone,
                }
            )


def check_team_members(sheet: Sheet, known: Known, checked: Checked) -> None:
    positions = _columns(sheet, TEAM_MEMBER_COLUMNS, checked)
    for required in ("code", "name", "role"):
        if required not in positions:
            checked.problem(sheet.name, 1, TEAM_MEMBER_COLUMNS[required][0], "ไม่มีคอลัมน์ที่จำเป็น",
                            "required column missing")
    seen: dict[str, int] = {}
    for number, row in _records(sheet, positions):
        def bad(column: str, th: str, en: str, number: int = number) -> None:
            checked.problem(sheet.name, number, TEAM_MEMBER_COLUMNS[column][0], th, en)

        problems_before = len(checked.problems)
        province = row.get("province_code", "")
        _check_required_and_unique(row, ("code", "name", "role"), positions, seen, number, bad)
        role = TEAM_ROLES.get(" ".join(row.get("role", "").split()).upper())
        if row.get("role") and role is None:
            bad("role", "ไม่รู้จักบทบาทนี้", "unknown role")
        if province and province not in known.provinces:
            bad("province_code", "ไม่พบรหัสจังหวัดนี้", "unknown province code")
        elif not province and role is not None and role != TeamRole.NATIONAL_DESK:
            bad("province_code", "บทบาทนี้ต้องระบุจังหวัด", "this role needs a province")
        phone = _phone(row.get("phone", ""), short_code_allowed=False)
        if phone is False:
            bad("phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "not a valid Thai phone number")
        active = ACTIVE_VALUES.get(row.get("active", "").lower())
        if active is None:
            bad("active", "ต้องเป็น ใช่ หรือ ไม่", "must be yes or no")
        if len(checked.problems) == problems_before and role is not None:
            checked.team_members.append(
                {
                    "code": row["code"], "name": row["name"], "role": role.value,
                    # The national desk serves every province: it has none.
                    "province_code": None if role == TeamRole.NATIONAL_DESK else province,
                    "organisation": row.get("organisation") or None, "phone": phone, "active": active,
                }
            )


def check_agencies(sheet: Sheet, known: Known, checked: Checked) -> None:
    """The agencies the teams refer people to. An empty province means a national agency (the 1300
    hotline): every province's team sees it."""
    positions = _columns(sheet, AGENCY_COLUMNS, checked)
    for required in ("code", "kind", "name_th"):
        if required not in positions:
            checked.problem(sheet.name, 1, AGENCY_COLUMNS[required][0], "ไม่มีคอลัมน์ที่จำเป็น", "required column missing")
    seen: dict[str, int] = {}
    for number, row in _records(sheet, positions):
        def bad(column: str, th: str, en: str, number: int = number) -> None:
            checked.problem(sheet.name, number, AGENCY_COLUMNS[column][0], th, en)

        problems_before = len(checked.problems)
        province = row.get("province_code", "")
        _check_required_and_unique(row, ("code", "kind", "name_th"), positions, seen, number, bad)
        kind = AGENCY_KINDS.get(" ".join(row.get("kind", "").split()).upper())
        if row.get("kind") and kind is None:
            bad("kind", f"ไม่รู้จักประเภทหน่วยงานนี้ ใช้ {', '.join(AgencyKind)} หรือชื่อภาษาไทยของประเภท",
                f"unknown agency kind: use {', '.join(AgencyKind)} or the kind's Thai name")
        if province and province not in known.provinces:
            bad("province_code", "ไม่พบรหัสจังหวัดนี้", "unknown province code")
        # A hotline's short number (1300) is how people call it.
        phone = _phone(row.get("phone", ""), short_code_allowed=True)
        if phone is False:
            bad("phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง", "not a valid Thai phone number or short hotline number")
        active = ACTIVE_VALUES.get(row.get("active", "").lower())
        if active is None:
            bad("active", "ต้องเป็น ใช่ หรือ ไม่", "must be yes or no")
        if len(checked.problems) == problems_before and kind is not None:
            checked.agencies.append(
                {
                    "code": row["code"], "kind": kind.value, "province_code": province or None,
                    "name_th": row["name_th"], "name_en": row.get("name_en") or row["name_th"],
                    "phone": phone, "note": row.get("note") or None, "active": active,
                }
            )


def _check_required_and_unique(row: dict, required_columns: tuple[str, ...], positions: dict, seen: dict[str, int],
                               number: int, bad) -> None:
    """Required values are present, and the row's code is not one an earlier row used."""
    for required in required_columns:
        if required in positions and not row.get(required):
            bad(required, "ต้องกรอกช่องนี้", "required value missing")
    code = row.get("code", "")
    if code in seen:
        bad("code", f"รหัสซ้ำกับแถว {seen[code]}", f"duplicate code, also on row {seen[code]}")
    elif code:
        seen[code] = number
