import dataclasses

import yaml

from kefu.knowledge.lookups import (
    CATALOGUE_USERDICT,
    LOOKUP_DIR,
    PLACES_USERDICT,
    PRODUCT_LOOKUP,
    PRODUCT_LOOKUP_NAME,
    brand_names,
    catalogue_userdict,
    catalogue_words,
    location_lookup_yaml,
    location_names,
    places_userdict,
    product_lookup_yaml,
    product_names,
    sample_catalogue,
    write_catalogue_resources,
)
from kefu.settings import PROJECT_ROOT


def test_location_lookup_file_is_up_to_date_with_the_geography():
    written = (LOOKUP_DIR / "location.yml").read_text(encoding="utf-8")
    assert written == location_lookup_yaml(), "run `python -m kefu.knowledge.lookups`"


def test_places_userdict_is_up_to_date_with_the_geography():
    assert PLACES_USERDICT.read_text(encoding="utf-8") == places_userdict(), "run `python -m kefu.knowledge.lookups`"


def test_provinces_full_names_and_cities_with_and_without_suffix_are_known():
    names = location_names()
    for name in ("新疆", "新疆维吾尔自治区", "乌鲁木齐", "乌鲁木齐市", "广州", "北京"):
        assert name in names


def test_longer_names_come_first_so_the_longest_match_wins():
    names = location_names()
    assert names.index("乌鲁木齐市") < names.index("乌鲁木齐")


# --- from the catalogue -------------------------------------------------------------

def test_catalogue_lookups_are_what_the_sample_catalogue_generates():
    assert PRODUCT_LOOKUP.read_text(encoding="utf-8") == product_lookup_yaml(sample_catalogue()), (
        "run `python -m kefu.knowledge.lookups`")
    assert CATALOGUE_USERDICT.read_text(encoding="utf-8") == catalogue_userdict(sample_catalogue()), (
        "run `python -m kefu.knowledge.lookups`")


def test_the_jieba_dictionary_folder_holds_the_catalogue_words():
    # config.yml's JiebaTokenizer loads every file of its dictionary_path.
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    (jieba,) = [step for step in config["pipeline"] if step["name"] == "JiebaTokenizer"]
    assert (PROJECT_ROOT / jieba["dictionary_path"]).resolve() == CATALOGUE_USERDICT.parent.resolve()


def test_product_names_with_and_without_spaces_and_brands_are_looked_up():
    names = product_names(sample_catalogue())
    assert "声悦 Pro 主动降噪蓝牙耳机" in names and "声悦Pro主动降噪蓝牙耳机" in names
    assert "声悦" in brand_names(sample_catalogue()) and "声悦" not in names
    assert names.index("声悦 Pro 主动降噪蓝牙耳机") < names.index("男士加绒连帽卫衣")  # longest first


def test_only_names_and_brands_are_looked_up_not_attributes_or_search_terms():
    lookup = yaml.safe_load(PRODUCT_LOOKUP.read_text(encoding="utf-8"))
    assert [table["lookup"] for table in lookup["nlu"]] == ["product", "brand"]
    elements = {line[2:] for table in lookup["nlu"] for line in table["examples"].splitlines()}
    assert "耳机" not in elements and "100%棉（新疆长绒棉）" not in elements and "锅" not in elements


def test_jieba_gets_the_words_it_would_split_and_leaves_its_own_and_ours_alone():
    words = dict(catalogue_words(sample_catalogue()))
    assert words["马丁靴"] == "n" and words["声悦"] == "nz"
    assert "蓝牙耳机" not in words  # in the hand-written userdict.txt
    assert "耳机" not in words and "锅" not in words  # jieba knows it; a single character


def test_the_files_are_rewritten_only_when_the_catalogue_changes(tmp_path):
    catalogue = list(sample_catalogue())
    assert len(write_catalogue_resources(catalogue, tmp_path)) == 2
    assert write_catalogue_resources(catalogue, tmp_path) == []

    renamed = [dataclasses.replace(catalogue[0], name="新款纯棉T恤")] + catalogue[1:]
    changed = write_catalogue_resources(renamed, tmp_path)

    assert changed == [tmp_path / PRODUCT_LOOKUP_NAME]
    assert "新款纯棉T恤" in (tmp_path / PRODUCT_LOOKUP_NAME).read_text(encoding="utf-8")
