import textwrap

import pytest

from bench import quick_ngram

CONFIG = textwrap.dedent(
    """\
    language: zh
    pipeline:
      - name: kefu.nlu.augmentation.TrainingAugmenter
        share: 0.5
      - name: kefu.nlu.greeting.GreetingPrefixBlanker
      - name: JiebaTokenizer
      - name: DIETClassifier
    """
)
TRAINING = textwrap.dedent(
    """\
    version: "3.1"
    nlu:
    - intent: greet
      examples: |
        - 你好
        - 在吗
        - 亲 在不在
        - 哈喽
    - intent: ask_invoice
      examples: |
        - 能开发票吗
        - 发票怎么开
        - 要开专票
        - 发票在哪下载
    - intent: track_order
      examples: |
        - 快递到哪了
        - 物流怎么不动了
        - 查下我的包裹
        - 怎么还没发货
    """
)
DEV = textwrap.dedent(
    """\
    version: "3.1"
    nlu:
    - intent: ask_invoice
      metadata:
        family: greeting_plus_question
      examples: |
        - 你好 发票怎么开
    - intent: greet
      examples: |
        - 在吗
    """
)


@pytest.fixture
def files(tmp_path):
    config, training, dev = tmp_path / "config.yml", tmp_path / "nlu.yml", tmp_path / "dev.yml"
    config.write_text(CONFIG, encoding="utf-8")
    training.write_text(TRAINING, encoding="utf-8")
    dev.write_text(DEV, encoding="utf-8")
    return config, training, dev


def test_text_stage_is_what_comes_before_the_tokenizer(files):
    config, _, _ = files
    assert quick_ngram.configured_text_stage(config) == [
        ("kefu.nlu.augmentation.TrainingAugmenter", {"share": 0.5}),
        ("kefu.nlu.greeting.GreetingPrefixBlanker", {}),
    ]


def test_steps_can_be_skipped_and_added():
    configured = [("a.Normalizer", {"x": 1}), ("b.Blanker", {})]
    assert quick_ngram.choose_steps(configured, ["Blanker"], []) == [("a.Normalizer", {"x": 1})]
    assert quick_ngram.choose_steps(configured, [], ["c.Augmenter:0", "d.Last"]) == [
        ("c.Augmenter", {}), ("a.Normalizer", {"x": 1}), ("b.Blanker", {}), ("d.Last", {}),
    ]


def test_features_text_joins_tokens_with_spaces():
    tokenize = lambda text: [(word, 0, 0) for word in ("发票", "怎么", "开")]
    assert quick_ngram.features_text("发票怎么开", tokenize) == "发票 怎么 开"


def test_held_out_sets_are_refused(tmp_path):
    with pytest.raises(ValueError, match="held out"):
        quick_ngram.evaluate(None, tmp_path / "test_set.yml", [], lambda text: [])


def test_run_trains_through_the_text_stage_and_scores_families(files, capsys):
    config, training, dev = files
    assert quick_ngram.main(["--config", str(config), "--training", str(training), "--dev", str(dev),
                             "--misses", "5"]) == 0
    output = capsys.readouterr().out
    assert "text stage: TrainingAugmenter -> GreetingPrefixBlanker" in output
    assert "== dev.yml: 2 messages, intent accuracy 1.000" in output
    assert "family greeting_plus_question: 1.000 of 1" in output


def test_evaluate_reports_the_processed_text_of_a_miss(files, tmp_path):
    config, training, dev = files
    steps = [quick_ngram.build_step(name, options, tmp_path)
             for name, options in quick_ngram.configured_text_stage(config)]
    tokenize = quick_ngram.pipeline_tokenizer(config)
    model, trained_on = quick_ngram.train(quick_ngram.load_training_data(training), steps, tokenize, 20.0)
    assert trained_on > 12, "the augmenter added copies"

    class AlwaysGreet:
        def predict(self, texts):
            return ["greet"] * len(texts)

    figures = quick_ngram.evaluate(AlwaysGreet(), dev, steps, tokenize)
    assert figures["misses"] == [
        {"text": "你好 发票怎么开", "processed": "   发票怎么开", "gold": "ask_invoice", "predicted": "greet"}
    ]
