"""The entity alignment check finds what Rasa's DIET would warn about."""

from pathlib import Path

import pytest

from kefu.nlu import alignment
from kefu.nlu.alignment import find_misalignments, main, pipeline_normalizer, pipeline_tokenizer

ROOT = Path(__file__).resolve().parents[2]


def tokens_of(*words):
    """A tokenizer stub that always splits into the given words."""
    def tokenize(text):
        tokens, start = [], 0
        for word in words:
            tokens.append((word, start, start + len(word)))
            start += len(word)
        assert "".join(words) == text
        return tokens
    return tokenize


def same(text):
    return text


def product(start, end):
    return {"entity": "product", "start": start, "end": end, "value": "x"}


def test_annotation_covering_whole_tokens_is_aligned():
    example = ("f.yml", "track_order", "蓝牙耳机到哪了", [product(0, 4)])
    assert find_misalignments([example], same, tokens_of("蓝牙耳机", "到", "哪", "了")) == []


def test_annotation_inside_a_token_is_reported_with_its_tokens():
    example = ("f.yml", "track_order", "蓝牙耳机到哪了", [product(2, 4)])
    [found] = find_misalignments([example], same, tokens_of("蓝牙耳机", "到", "哪", "了"))
    assert (found.file, found.intent, found.span, found.entity) == ("f.yml", "track_order", "耳机", "product")
    assert found.tokens[0] == ("蓝牙耳机", 0, 4)
    assert "耳机" in found.describe() and "蓝牙耳机[0:4]" in found.describe()


def test_annotation_ending_inside_a_token_is_reported():
    example = ("f.yml", "inform", "170140斤", [{"entity": "height", "start": 0, "end": 3, "value": "170"}])
    assert len(find_misalignments([example], same, tokens_of("170140", "斤"))) == 1


def test_text_is_normalised_before_it_is_tokenized():
    seen = []

    def tokenize(text):
        seen.append(text)
        return [(text, 0, len(text))]

    find_misalignments([("f.yml", "x", "abc", [product(0, 3)])], str.upper, tokenize)
    assert seen == ["ABC"]


def test_the_pipeline_tokenizer_uses_the_shop_dictionaries():
    tokenize = pipeline_tokenizer()
    words = [word for word, _, _ in tokenize("运费险怎么买")]
    assert words[0] == "运费险"


def test_the_pipeline_normaliser_corrects_typos_like_the_component():
    assert pipeline_normalizer()("快第到哪了") == "快递到哪了"


def test_a_config_without_a_normaliser_leaves_text_alone(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: JiebaTokenizer\n", encoding="utf-8")
    assert pipeline_normalizer(config)("快第") == "快第"


def test_cli_exits_1_and_lists_a_misaligned_file(tmp_path, capsys):
    data = tmp_path / "bad.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n  - intent: track_order\n    examples: |\n'
        "      - 我的蓝牙[耳机](product)到哪了\n",
        encoding="utf-8",
    )
    assert main([str(data)]) == 1
    output = capsys.readouterr().out
    assert "'耳机'" in output and "1 of 1" in output


def test_training_data_has_no_misaligned_entity_annotation(capsys):
    status = main([])
    assert status == 0, capsys.readouterr().out


def test_annotation_over_text_the_normaliser_blanks_is_not_checked():
    # The normaliser drops it before DIET sees it (the second copy of a
    # question pasted twice).
    text = "还有XL的吗 还有XL的吗"
    second = {"entity": "size", "start": 9, "end": 11, "value": "XL"}
    example = ("f.yml", "ask_stock", text, [second])
    assert find_misalignments([example], pipeline_normalizer(), pipeline_tokenizer()) == []
