"""Where a pinned location falls: inside Thailand or not, and which province and district."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from domain.models import Language, Location
from places.geography import AreaGuess, district_seats, locate, read_address

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def pinned(latitude: float, longitude: float, address: str | None = None) -> Location:
    return Location(latitude=latitude, longitude=longitude, address=address)


@pytest.mark.parametrize(
    ("latitude", "longitude", "province_code", "district_code"),
    [
        (18.7883, 98.9853, "50", "5001"),  # Chiang Mai old city
        (19.9075, 99.8306, "57", "5701"),  # Chiang Rai clock tower
        (16.4322, 102.8236, "40", "4001"),  # Khon Kaen
        (15.2287, 104.8570, "34", "3401"),  # Ubon Ratchathani
        (14.9799, 102.0978, "30", "3001"),  # Nakhon Ratchasima
        (14.3532, 100.5689, "14", "1401"),  # Ayutthaya
        (12.9236, 100.8825, "20", "2004"),  # Pattaya, in Bang Lamung
        (12.5684, 99.9577, "77", "7707"),  # Hua Hin
        (7.0086, 100.4747, "90", "9011"),  # Hat Yai
        (7.8961, 98.2969, "83", "8302"),  # Patong, in Kathu
        (9.5357, 100.0629, "84", "8404"),  # Ko Samui
        (16.0178, 98.8625, "63", "6308"),  # Umphang, far in the western forests
    ],
)
def test_coordinates_across_the_regions_find_province_and_district(
    latitude: float, longitude: float, province_code: str, district_code: str
) -> None:
    place = locate(pinned(latitude, longitude))
    assert place.inside_thailand
    assert (place.province_code, place.district_code) == (province_code, district_code)


@pytest.mark.parametrize(
    ("latitude", "longitude", "district_code", "khet_th"),
    [
        (13.7200, 100.5800, "1033", "เขตคลองเตย"),
        (13.9126, 100.6068, "1036", "เขตดอนเมือง"),
        (13.7654, 100.6476, "1006", "เขตบางกะปิ"),
        (13.7276, 100.7487, "1011", "เขตลาดกระบัง"),
        (13.8137, 100.7486, "1010", "เขตมีนบุรี"),
    ],
)
def test_bangkok_points_fall_in_their_khet(latitude: float, longitude: float, district_code: str, khet_th: str) -> None:
    place = locate(pinned(latitude, longitude))
    assert place.province_code == "10"
    assert place.district_code == district_code
    assert place.describe(Language.THAI) == f"{khet_th}, กรุงเทพมหานคร"


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (17.97, 102.60),  # Vientiane, across the Mekong from Nong Khai
        (13.36, 103.86),  # Siem Reap
        (3.139, 101.6869),  # Kuala Lumpur
        (16.8409, 96.1735),  # Yangon
        (13.659, 102.5625),  # Poipet, facing Aranyaprathet
        (16.6875, 98.5089),  # Myawaddy, facing Mae Sot
        (20.4496, 99.8836),  # Tachileik, facing Mae Sai
        (17.93, 102.66),  # the Mekong's Lao half, between Nong Khai and Vientiane
        (6.35, 99.80),  # Langkawi, Malaysia, the nearest town to Ko Lipe
        (6.02, 101.98),  # Rantau Panjang, facing Sungai Kolok
        (21.03, 105.85),  # Hanoi, in Thailand's time zone but far from it
        (35.68, 139.69),  # Tokyo
        (0.0, 0.0),
    ],
)
def test_points_abroad_are_not_in_thailand(latitude: float, longitude: float) -> None:
    place = locate(pinned(latitude, longitude))
    assert not place.inside_thailand
    assert place.province_code is None and place.district_code is None


@pytest.mark.parametrize(("latitude", "longitude"), [(9.5, 101.5), (8.0, 97.0)])
def test_open_sea_far_offshore_is_not_thailand(latitude: float, longitude: float) -> None:
    assert not locate(pinned(latitude, longitude)).inside_thailand


@pytest.mark.parametrize(
    ("latitude", "longitude", "province_code"),
    [
        (20.43, 99.88, "57"),  # Mae Sai, on the Myanmar border
        (17.88, 102.74, "43"),  # Nong Khai, on the Mekong
        (10.0956, 99.8404, "84"),  # Ko Tao
        (8.65, 97.64, "82"),  # the Similan Islands, 60-odd km offshore
        (6.4889, 99.3036, "91"),  # Ko Lipe, nearer to Malaysia's Langkawi than to any Thai town
        (6.53, 99.28, "91"),  # Ko Adang
        (6.60, 99.65, "91"),  # Ko Tarutao
        (11.65, 102.55, "23"),  # Ko Kut, near Cambodia's waters
        (6.03, 101.97, "96"),  # Sungai Kolok, on the Malaysian border
    ],
)
def test_border_towns_and_islands_are_thailand(latitude: float, longitude: float, province_code: str) -> None:
    place = locate(pinned(latitude, longitude))
    assert place.inside_thailand
    assert place.province_code == province_code


def test_the_address_names_the_district_when_coordinates_alone_would_guess_a_neighbour() -> None:
    # The Grand Palace: the nearest listed place is across the river in Bangkok Yai.
    place = locate(
        pinned(13.7500, 100.4913, "Na Phra Lan Rd, Phra Borom Maha Ratchawang, Phra Nakhon, Bangkok 10200, Thailand")
    )
    assert (place.province_code, place.district_code) == ("10", "1001")
    assert place.describe(Language.ENGLISH) == "Phra Nakhon, Bangkok"


def test_a_thai_looking_address_does_not_bring_a_point_abroad_into_thailand() -> None:
    place = locate(pinned(17.97, 102.60, "ตำบลพานพร้าว อำเภอศรีเชียงใหม่ หนองคาย 43130 ประเทศไทย"))
    assert not place.inside_thailand


def test_an_address_naming_only_the_province_keeps_the_coordinates_district() -> None:
    place = locate(pinned(18.7883, 98.9853, "เชียงใหม่ ประเทศไทย"))
    assert (place.province_code, place.district_code) == ("50", "5001")


def test_an_address_in_another_province_wins_but_drops_the_coordinates_district() -> None:
    place = locate(pinned(18.7883, 98.9853, "ลำพูน ประเทศไทย"))
    assert (place.province_code, place.district_code) == ("51", None)


def test_a_district_name_alone_elsewhere_in_the_country_does_not_move_the_pin() -> None:
    # "Bang Rak" is a Bangkok khet, here only the name of a shop in Chiang Mai.
    place = locate(pinned(18.7883, 98.9853, "Bang Rak Cafe"))
    assert (place.province_code, place.district_code) == ("50", "5001")


def test_a_district_name_alone_in_the_pins_province_is_taken() -> None:
    # Coordinates alone would say Bangkok Yai, across the river.
    place = locate(pinned(13.7500, 100.4913, "Phra Nakhon"))
    assert (place.province_code, place.district_code) == ("10", "1001")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("123 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110 ประเทศไทย", AreaGuess("10", "1033")),
        ("1 Sukhumvit Rd, Khlong Toei, Bangkok 10110, Thailand", AreaGuess("10", "1033")),
        # A road named after another khet, and a postal code shared by several.
        ("ถนน ลาดพร้าว แขวงจอมพล เขตจตุจักร กรุงเทพมหานคร 10900", AreaGuess("10", "1030")),
        ("Suthep, Mueang Chiang Mai District, Chiang Mai 50200, Thailand", AreaGuess("50", "5001")),
        ("Tambon Suthep, Amphoe Mueang Chiang Mai, Chang Wat Chiang Mai 50200", AreaGuess("50", "5001")),
        ("ต.สุเทพ อ.เมือง จ.เชียงใหม่", AreaGuess("50", "5001")),
        ("๑๒๓ หมู่ ๔ ตำบลบ้านใหม่ อำเภอปากเกร็ด นนทบุรี ๑๑๑๒๐", AreaGuess("12", "1206")),
        ("Patong, Kathu District, Phuket 83150, Thailand", AreaGuess("83", "8302")),
        ("ป่าตอง กะทู้ ภูเก็ต 83150", AreaGuess("83", "8302")),
        ("อำเภอปากเกร็ด", AreaGuess("12", "1206", province_stated=False)),
        ("84280", AreaGuess("84", "8405")),  # one postal code, one district (Ko Pha-ngan)
        ("10110", AreaGuess("10", None)),  # shared by Khlong Toei and Watthana
        ("Lat Phrao Rd, Bangkok", AreaGuess("10", None)),
        ("กทม.", AreaGuess("10", None)),
        ("สยามพารากอน", AreaGuess()),
        ("", AreaGuess()),
    ],
)
def test_postal_addresses_in_thai_and_english(address: str, expected: AreaGuess) -> None:
    assert read_address(address) == expected


def test_almost_every_district_has_a_known_main_town() -> None:
    seats = district_seats()
    assert len(seats) >= 900
    latitude, longitude = seats["5001"]  # Mueang Chiang Mai
    assert abs(latitude - 18.79) < 0.1 and abs(longitude - 98.98) < 0.1


def test_the_api_does_not_load_scipy_until_a_point_at_sea_needs_it() -> None:
    """SciPy (reverse_geocode's nearest-neighbour search) is memory the API process never needs."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, api.app; print(sorted({'scipy', 'reverse_geocode'} & set(sys.modules)))"],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
    ).stdout.strip().splitlines()[-1]
    assert loaded == "[]"
