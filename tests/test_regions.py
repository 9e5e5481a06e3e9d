"""The province and city table the enterprise regions are checked against (leads/regions.py)."""

from leads.regions import PROVINCES


def test_it_lists_the_34_province_level_divisions_and_abroad():
    assert len(PROVINCES) == 35 and "境外" in PROVINCES
    assert {"重庆市", "广东省", "新疆维吾尔自治区", "香港特别行政区", "台湾省"} <= PROVINCES.keys()


def test_every_city_name_is_listed_once_so_a_city_alone_names_its_province():
    cities = [city for cities in PROVINCES.values() for city in cities]
    assert len(cities) == len(set(cities))
    assert "涪陵区" in PROVINCES["重庆市"] and "深圳市" in PROVINCES["广东省"]
    assert len(PROVINCES["广东省"]) == 21 and len(PROVINCES["四川省"]) == 21
