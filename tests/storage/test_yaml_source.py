"""Reading hand-edited YAML with line numbers (kefu/storage/yaml_source.py)."""

from decimal import Decimal

from kefu.storage.yaml_source import Fields, Problems, read_yaml


def read(text):
    problems = Problems("f.yml")
    return read_yaml(text, problems), problems.items


def test_mappings_and_lists_know_their_lines():
    document, problems = read("rules:\n  - id: a\n    off: 20\n  - id: b\n")
    assert problems == []
    rules = document["rules"]
    assert rules.item_lines == [2, 4]
    assert rules[0].line == 2 and rules[0].line_of("off") == 3


def test_on_off_yes_and_no_stay_words():
    # YAML 1.1 would read `off: 20` as {False: 20}.
    document, _ = read("off: 20\non: yes\nflag: true\nother: False\n")
    assert dict(document) == {"off": 20, "on": "yes", "flag": True, "other": False}


def test_a_key_given_twice_is_a_problem():
    _, problems = read("a:\n  x: 1\n  x: 2\n")
    assert [(p.line, p.reason) for p in problems] == [(3, "field 'x' is given twice")]


def test_a_syntax_error_names_its_line():
    document, problems = read("a: [1, 2\nb: 3\n")
    assert document is None and problems[0].line == 2 and "not valid YAML" in problems[0].reason


def test_fields_note_every_problem_and_unknown_fields():
    document, _ = read("n: abc\nm: 5\ni: 2.5\nextra: 1\nnote: 随便写\n")
    problems = Problems("f.yml")
    fields = Fields(document, problems, "rule 'x'")
    assert fields.number("n") is None
    assert fields.number("m", below=Decimal(3)) is None
    assert fields.integer("i") is None
    fields.finish()
    assert [(p.line, p.reason) for p in problems.items] == [
        (1, "rule 'x': 'n' must be a number, not 'abc'"),
        (2, "rule 'x': 'm' must be less than 3, not 5"),
        (3, "rule 'x': 'i' must be a whole number, not 2.5"),
        (4, "rule 'x': unknown field 'extra'"),
    ]
