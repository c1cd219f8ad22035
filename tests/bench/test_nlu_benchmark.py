from bench.nlu_benchmark import score


def prediction(intent, entities=()):
    return {"intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)}


def example(intent, entities=()):
    return {"text": "x", "intent": intent, "entities": list(entities)}


ORDER = {"entity": "order_id", "start": 0, "end": 13}


def test_perfect_predictions_score_one():
    examples = [example("greet"), example("track_order", [ORDER]), example("out_of_scope")]
    predictions = [prediction("greet"), prediction("track_order", [ORDER]), prediction("out_of_scope")]
    result = score(examples, predictions)
    assert result["intent_accuracy"] == 1.0
    assert result["macro_f1"] == 1.0
    assert result["entity_f1"] == 1.0
    assert result["out_of_scope_recall"] == 1.0


def test_fallback_counts_as_handled_out_of_scope_but_wrong_for_in_scope():
    examples = [example("out_of_scope"), example("greet")]
    predictions = [prediction("nlu_fallback"), prediction("nlu_fallback")]
    result = score(examples, predictions)
    assert result["out_of_scope_recall"] == 1.0
    assert result["in_scope_sent_to_fallback"] == 1.0
    assert result["intent_accuracy"] == 0.5


def test_entity_with_wrong_span_is_both_a_miss_and_a_false_alarm():
    examples = [example("inform", [ORDER])]
    predictions = [prediction("inform", [{"entity": "order_id", "start": 0, "end": 12}])]
    result = score(examples, predictions)
    assert result["entity_precision"] == 0.0
    assert result["entity_recall"] == 0.0


def test_confusions_are_counted():
    examples = [example("ask_return"), example("ask_return"), example("ask_exchange")]
    predictions = [prediction("ask_exchange"), prediction("ask_exchange"), prediction("ask_exchange")]
    result = score(examples, predictions)
    assert result["top_confusions"][0] == {"gold": "ask_return", "predicted": "ask_exchange", "count": 2}


def test_entity_types_the_test_set_never_annotates_are_not_scored():
    examples = [example("ask_shipping_fee", [ORDER])]
    place = {"entity": "location", "start": 20, "end": 22}
    predictions = [prediction("ask_shipping_fee", [ORDER, place])]
    assert score(examples, predictions)["entity_precision"] == 1.0


def _text_example(text, intent):
    return {"text": text, "intent": intent, "entities": []}


def test_families_are_read_from_block_metadata_and_annotations_are_stripped(tmp_path):
    from bench.nlu_benchmark import families_by_text

    path = tmp_path / "real.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: praise\n  metadata:\n    family: praise\n  examples: |\n    - 质量不错 好评\n"
        "- intent: track_order\n  examples: |\n    - 订单[2024111100002](order_id)到哪了\n",
        encoding="utf-8",
    )
    assert families_by_text(path) == {"质量不错 好评": "praise", "订单2024111100002到哪了": "general"}


def test_family_scores_count_accuracy_confusions_and_praise_taken_for_a_complaint():
    from bench.nlu_benchmark import score_families

    examples = [_text_example("a", "praise"), _text_example("b", "praise"), _text_example("c", "praise"),
                _text_example("d", "ask_promotion")]
    predictions = [prediction("praise"), prediction("complain"), prediction("ask_return"), prediction("ask_promotion")]
    result = score_families(examples, predictions, {"a": "praise", "b": "praise", "c": "praise", "d": "price_protection"})
    assert result["families"]["praise"]["accuracy"] == 1 / 3
    assert result["families"]["price_protection"]["accuracy"] == 1.0
    assert {"gold": "praise", "predicted": "complain", "count": 1} in result["families"]["praise"]["confusions"]
    assert result["praise_recall"] == 1 / 3
    assert result["praise_called_complaint"] == 1 / 3


def test_each_limit_fails_the_run_when_missed():
    import argparse

    from bench.nlu_benchmark import _failures

    args = argparse.Namespace(min_accuracy=0.95, min_real_register_accuracy=0.88, min_praise_recall=0.9,
                              max_praise_as_complaint=0.03)
    good = _failures(args, {"intent_accuracy": 0.96}, {"intent_accuracy": 0.9},
                     {"praise_recall": 0.95, "praise_called_complaint": 0.0})
    bad = _failures(args, {"intent_accuracy": 0.94}, {"intent_accuracy": 0.87},
                    {"praise_recall": 0.8, "praise_called_complaint": 0.05})
    assert good == []
    assert len(bad) == 4
