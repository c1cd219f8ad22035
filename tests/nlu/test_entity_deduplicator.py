from kefu.nlu.entity_deduplicator import deduplicate

PREFERRED = ["RegexEntityExtractor", "DIETClassifier"]


def entity(name, start, end, extractor):
    return {"entity": name, "start": start, "end": end, "value": "x", "extractor": extractor}


def test_regex_match_wins_over_diet_copy_of_the_same_span():
    regex = entity("order_id", 3, 16, "RegexEntityExtractor")
    diet = entity("order_id", 3, 16, "DIETClassifier")
    assert deduplicate([diet, regex], PREFERRED) == [regex]


def test_regex_match_overrules_diet_calling_the_digits_something_else():
    regex = entity("phone", 0, 11, "RegexEntityExtractor")
    diet = entity("order_id", 0, 11, "DIETClassifier")
    assert deduplicate([diet, regex], PREFERRED) == [regex]


def test_different_spans_are_all_kept_in_text_order():
    colour = entity("color", 5, 7, "DIETClassifier")
    order = entity("order_id", 10, 23, "RegexEntityExtractor")
    size = entity("size", 0, 1, "DIETClassifier")
    assert deduplicate([colour, order, size], PREFERRED) == [size, colour, order]


def test_entities_of_one_extractor_with_different_types_may_overlap():
    product = entity("product", 0, 4, "DIETClassifier")
    category = entity("category", 2, 4, "DIETClassifier")
    assert deduplicate([product, category], PREFERRED) == [product, category]
