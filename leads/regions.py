"""Where a target enterprise is (domain.md §10): every province-level division of China with its
prefecture-level cities (for the four municipalities their districts and counties; the
province-administered county-level cities too), 香港, 澳门, 台湾, and 境外 with its countries.

Shipped data (`regions.json`), not a database table: the form offers these names and checks that
a city belongs to its province. Names are the full official ones, as the enterprise's record
stores them.
"""

from __future__ import annotations

import json
from pathlib import Path

ABROAD = "境外"

# province → its cities, in the order of the national statistics' tables; the data sits in a JSON
# file beside this module, as data, not code.
with open(Path(__file__).with_name("regions.json"), encoding="utf-8") as data:
    REGIONS: dict[str, tuple[str, ...]] = {province: tuple(cities) for province, cities in json.load(data).items()}
PROVINCES: tuple[str, ...] = tuple(REGIONS)


def cities_of(province: str) -> tuple[str, ...]:
    return REGIONS.get(province, ())


def is_city_of(province: str, city: str) -> bool:
    return city in cities_of(province)


def province_choices() -> list[tuple[str, str]]:
    return [(province, province) for province in PROVINCES]


def city_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The cities grouped by province, for a <select> with one <optgroup> a province."""
    return [(province, [(city, city) for city in cities]) for province, cities in REGIONS.items()]
