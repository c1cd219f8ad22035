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
