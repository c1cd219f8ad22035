"""Reading the texts of data/responses/ (kefu/storage/responses.py): every problem with its file and line."""

import pytest

from kefu.storage.responses import IntentWords, read_responses, responses, responses_directory
from kefu.storage.yaml_source import KnowledgeFileError

# Rasa takes any .yml under data/ with one of these keys at the start of a line for training data.
RASA_KEYS = ("nlu:", "responses:", "stories:", "rules:")


def write(directory, files):
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def problems_of(directory, files):
    with pytest.raises(KnowledgeFileError) as refused:
        read_responses(write(directory, files))
    return refused.value.problems


def test_the_shipped_texts_load_and_rasa_does_not_take_them_for_training_data():
    shipped = responses()
    assert len(shipped.templates) > 150 and len(shipped.phrases) > 100
    assert shipped.intents["track_order"] == IntentWords("查订单/物流", button=True)
    for path in sorted(responses_directory().glob("*.yml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert not [line for line in lines if line.lstrip().startswith(RASA_KEYS)], path.name


def test_templates_phrases_and_intents_are_read(tmp_path):
    book = read_responses(write(tmp_path, {
        "a.yml": "templates:\n  hello:\n    - text: 你好{name}\n      buttons:\n        - {title: 好, payload: /affirm}\n"
                 "phrases:\n  tier: 满{threshold}减{off}\n",
        "b.yml": "intent_words:\n  greet: {name: 打招呼}\n  track_order: {name: 查订单, button: true}\n",
    }))
    assert book.templates == {"hello": [{"text": "你好{name}", "buttons": [{"title": "好", "payload": "/affirm"}]}]}
    assert book.phrases == {"tier": "满{threshold}减{off}"}
    assert book.intents == {"greet": IntentWords("打招呼"), "track_order": IntentWords("查订单", True)}


def test_a_name_defined_in_two_files_is_reported_with_both_places(tmp_path):
    (problem,) = problems_of(tmp_path, {
        "a.yml": "templates:\n  hello:\n    - text: 你好\n",
        "b.yml": "\nphrases:\n  hello: 您好\n",
    })
    assert (problem.file, problem.line) == (str(tmp_path / "b.yml"), 3)
    assert problem.reason == f"'hello' is defined twice (first in {tmp_path / 'a.yml'}:2)"


def test_a_name_given_twice_in_one_file_is_reported(tmp_path):
    (problem,) = problems_of(tmp_path, {"a.yml": "phrases:\n  hello: 你好\n  hello: 您好\n"})
    assert (problem.line, problem.reason) == (3, "field 'hello' is given twice")


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ("templates:\n  hello:\n    - text: [你好\n", 4, "not valid YAML"),
        ("responses:\n  hello:\n    - text: 你好\n", 1, "unknown top-level key 'responses'"),
        ("templates:\n  - hello\n", 1, "'templates' must be a mapping of names"),
        ("templates:\n  hello: 你好\n", 2, "template 'hello' must be a list of variations"),
        ("templates:\n  hello:\n    - 你好\n", 3, "a variation must be a mapping"),
        ("templates:\n  hello:\n    - buttons: [{title: 好, payload: /affirm}]\n", 3, "template 'hello': 'text' is missing"),
        ("templates:\n  hello:\n    - text: 你好{name\n", 3, "unbalanced"),
        ("templates:\n  hello:\n    - text: 你好\n      image: a.png\n", 4, "unknown field 'image'"),
        ("templates:\n  hello:\n    - text: 你好\n      buttons:\n        - {title: 好}\n", 5, "a button: 'payload' is missing"),
        ("phrases:\n  tier: [满]\n", 2, "phrase 'tier' must be a text"),
        ("phrases:\n  tier: 满{threshold减\n", 2, "unbalanced"),
        ("intent_words:\n  greet: 打招呼\n", 2, "intent 'greet' must be a mapping"),
        ("intent_words:\n  greet: {name: 打招呼, button: yes}\n", 2, "'button' must be true or false"),
        ("- hello\n", 1, "the file must be a mapping"),
    ],
)
def test_a_broken_file_is_refused_naming_file_line_and_reason(tmp_path, text, line, reason):
    (problem,) = problems_of(tmp_path, {"broken.yml": text})
    assert (problem.file, problem.line) == (str(tmp_path / "broken.yml"), line)
    assert reason in problem.reason
    assert f"broken.yml:{line}: " in str(KnowledgeFileError([problem]))


def test_every_problem_of_every_file_is_listed_at_once(tmp_path):
    problems = problems_of(tmp_path, {
        "a.yml": "phrases:\n  tier: [满]\n  every_tier: 每满{x\n",
        "b.yml": "templates:\n  hello: 你好\n",
    })
    assert [(p.file.rsplit("/", 1)[-1], p.line) for p in problems] == [("a.yml", 2), ("a.yml", 3), ("b.yml", 2)]


def test_a_file_not_saved_as_utf8_is_refused(tmp_path):
    (tmp_path / "gbk.yml").write_bytes("phrases:\n  tier: 满减\n".encode("gbk"))
    with pytest.raises(KnowledgeFileError, match="not UTF-8"):
        read_responses(tmp_path)
