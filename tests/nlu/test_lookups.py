from kefu.nlu.lookups import LOOKUP_DIR, PLACES_USERDICT, location_lookup_yaml, location_names, places_userdict


def test_location_lookup_file_is_up_to_date_with_the_geography():
    written = (LOOKUP_DIR / "location.yml").read_text(encoding="utf-8")
    assert written == location_lookup_yaml(), "run `python -m kefu.nlu.lookups`"


def test_places_userdict_is_up_to_date_with_the_geography():
    assert PLACES_USERDICT.read_text(encoding="utf-8") == places_userdict(), "run `python -m kefu.nlu.lookups`"


def test_provinces_full_names_and_cities_with_and_without_suffix_are_known():
    names = location_names()
    for name in ("新疆", "新疆维吾尔自治区", "乌鲁木齐", "乌鲁木齐市", "广州", "北京"):
        assert name in names


def test_longer_names_come_first_so_the_longest_match_wins():
    names = location_names()
    assert names.index("乌鲁木齐市") < names.index("乌鲁木齐")
