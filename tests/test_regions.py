"""The shipped table of provinces and cities (leads/regions.py)."""

from leads import regions


def test_every_province_level_division_and_abroad_is_there():
    provinces = set(regions.PROVINCES)
    municipalities = {"北京市", "天津市", "上海市", "重庆市"}
    autonomous = {"内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区"}
    special = {"香港特别行政区", "澳门特别行政区", "台湾省"}
    assert municipalities | autonomous | special | {regions.ABROAD} <= provinces
    assert len([p for p in provinces if p.endswith("省")]) == 23  # 22 provinces and 台湾省
    assert len(provinces) == 35  # 34 province-level divisions and 境外


def test_each_province_has_its_prefecture_level_cities():
    assert len(regions.cities_of("广东省")) == 21
    assert len(regions.cities_of("四川省")) == 21
    assert "涪陵区" in regions.cities_of("重庆市")
    assert len(regions.cities_of("重庆市")) == 38  # 26 districts and 12 counties
    assert "延边朝鲜族自治州" in regions.cities_of("吉林省")
    assert all(regions.cities_of(province) for province in regions.PROVINCES)


def test_a_city_belongs_to_its_own_province_only():
    assert regions.is_city_of("江苏省", "苏州市")
    assert not regions.is_city_of("浙江省", "苏州市")
    assert not regions.is_city_of("火星", "苏州市")


def test_no_city_is_listed_twice_in_a_province_and_names_fit_the_model():
    for province, cities in regions.REGIONS.items():
        assert len(cities) == len(set(cities)), province
        assert len(province) <= 20 and all(len(city) <= 30 for city in cities)


def test_the_choices_group_the_cities_by_province():
    grouped = dict(regions.city_choices())
    assert ("深圳市", "深圳市") in grouped["广东省"]
    assert regions.province_choices()[0] == ("北京市", "北京市")
