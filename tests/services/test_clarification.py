import pytest

from kefu.services.clarification import (
    CHOOSE,
    NOT_OFFERED,
    OFFER_HUMAN,
    REPHRASE,
    REPHRASE_PAYLOAD,
    candidate_intents,
    clarification_plan,
    consecutive_misunderstandings,
    entity_values,
    intent_payload,
)


def ranking(*pairs, threshold=0.3):
    """What the FallbackClassifier leaves: nlu_fallback on top, then the real intents."""
    return [{"name": "nlu_fallback", "confidence": threshold}] + [
        {"name": name, "confidence": confidence} for name, confidence in pairs
    ]


def said(text, intent, confidence=0.9):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": confidence}}}


def missed(text="嗯那个东西咋整"):
    return said(text, "nlu_fallback", 0.3)


BOT = {"event": "bot", "text": "亲，您是想问下面哪一个呀？"}
ACTION = {"event": "action", "name": "action_clarify"}


# --- candidate_intents -----------------------------------------------------


def test_two_close_intents_are_both_offered_best_first():
    assert candidate_intents(ranking(("ask_exchange", 0.28), ("ask_return", 0.26), ("ask_refund_status", 0.05))) == [
        "ask_exchange",
        "ask_return",
    ]


def test_one_clear_candidate_when_the_second_is_far_behind():
    assert candidate_intents(ranking(("track_order", 0.29), ("ask_delivery_time", 0.12), ("greet", 0.02))) == [
        "track_order"
    ]


def test_an_ambiguous_pair_above_the_threshold_is_offered():
    # Fallback by ambiguity: both are confident, and close.
    assert candidate_intents(ranking(("ask_stock", 0.46), ("ask_product_info", 0.44))) == [
        "ask_stock",
        "ask_product_info",
    ]


def test_at_most_max_options():
    pairs = [("ask_coupon", 0.2), ("ask_promotion", 0.19), ("ask_payment", 0.18)]
    assert candidate_intents(ranking(*pairs)) == ["ask_coupon", "ask_promotion"]
    assert candidate_intents(ranking(*pairs), max_options=3) == ["ask_coupon", "ask_promotion", "ask_payment"]
    assert candidate_intents(ranking(*pairs), max_options=0) == []


def test_intents_that_make_no_sense_as_a_button_are_skipped():
    pairs = [("inform", 0.25), ("affirm", 0.2), ("out_of_scope", 0.2), ("request_human", 0.2), ("track_order", 0.2)]
    assert candidate_intents(ranking(*pairs)) == ["track_order"]
    assert {"nlu_fallback", "out_of_scope", "inform", "affirm", "deny"} <= NOT_OFFERED


def test_closeness_is_measured_against_the_best_real_intent_even_when_it_is_not_offered():
    # The model mostly thinks it is small talk: no shop buttons for a distant guess.
    assert candidate_intents(ranking(("greet", 0.29), ("ask_promotion", 0.11))) == []


def test_nothing_below_the_floor():
    assert candidate_intents(ranking(("track_order", 0.08), ("ask_return", 0.07))) == []
    assert candidate_intents(ranking(("track_order", 0.08)), floor=0.05) == ["track_order"]


def test_offerable_narrows_the_choice():
    pairs = [("ask_return", 0.25), ("ask_exchange", 0.24)]
    assert candidate_intents(ranking(*pairs), offerable={"ask_exchange"}) == ["ask_exchange"]


def test_an_unsorted_ranking_is_sorted():
    unsorted = [{"name": "ask_return", "confidence": 0.1}, {"name": "ask_exchange", "confidence": 0.25}]
    assert candidate_intents(unsorted) == ["ask_exchange"]


@pytest.mark.parametrize(
    "odd",
    [
        None,
        [],
        "track_order",
        {"name": "track_order", "confidence": 0.3},
        ranking(),
        [None, 3, "x", {}, {"name": None, "confidence": 0.5}, {"name": "track_order"}],
        [{"name": "track_order", "confidence": "high"}, {"name": "ask_return", "confidence": float("nan")}],
    ],
)
def test_empty_or_odd_rankings_give_no_candidates(odd):
    assert candidate_intents(odd) == []


def test_string_confidences_are_read():
    assert candidate_intents([{"name": "track_order", "confidence": "0.25"}]) == ["track_order"]


# --- consecutive_misunderstandings ---------------------------------------------


def test_misses_in_a_row_are_counted_back_from_the_newest_message():
    assert consecutive_misunderstandings([said("你好", "greet"), BOT, missed(), ACTION, BOT, missed()]) == 2
    assert consecutive_misunderstandings([said("你好", "greet"), missed()]) == 1
    assert consecutive_misunderstandings([missed(), said("我的快递到哪了", "track_order")]) == 0


def test_a_miss_followed_by_an_understood_message_resets_the_count():
    assert consecutive_misunderstandings([missed(), said("怎么退货", "ask_return"), BOT, missed()]) == 1


def test_a_button_click_counts_as_understood():
    clicked = said('/track_order{"order_id":"2024111100002"}', "track_order")
    assert consecutive_misunderstandings([missed(), clicked, missed()]) == 1
    # "换个说法" is a click too, although it parses to nlu_fallback.
    click = said(REPHRASE_PAYLOAD, "nlu_fallback", 1.0)
    assert consecutive_misunderstandings([missed(), missed(), click]) == 0
    assert consecutive_misunderstandings([missed(), missed(), click, missed()]) == 1


def test_a_new_session_starts_the_count_afresh():
    assert consecutive_misunderstandings([missed(), {"event": "session_started"}, missed()]) == 1
    assert consecutive_misunderstandings([missed(), {"event": "restart"}]) == 0


@pytest.mark.parametrize(
    "odd",
    [None, [], "user", 42, [None, "x", {}], [{"event": "user"}], [{"event": "user", "text": None, "parse_data": "?"}]],
)
def test_odd_events_do_not_crash_and_are_not_misses(odd):
    assert consecutive_misunderstandings(odd) == 0


# --- clarification_plan ----------------------------------------------------------


def test_two_misses_in_a_row_offer_a_human():
    plan = clarification_plan(ranking(("ask_return", 0.28), ("ask_exchange", 0.27)), [missed(), BOT, missed()])
    assert (plan.kind, plan.intents, plan.misses) == (OFFER_HUMAN, (), 2)


def test_a_first_miss_with_candidates_asks_which():
    plan = clarification_plan(ranking(("ask_return", 0.28), ("ask_exchange", 0.27)), [said("你好", "greet"), missed()])
    assert (plan.kind, plan.intents, plan.misses) == (CHOOSE, ("ask_return", "ask_exchange"), 1)


def test_a_first_miss_without_candidates_asks_to_rephrase():
    assert clarification_plan(ranking(("greet", 0.05)), [missed()]).kind == REPHRASE
    assert clarification_plan(None, None).kind == REPHRASE


# --- payloads ------------------------------------------------------------------------


def test_entities_of_the_message_go_into_the_payload():
    entities = entity_values([{"entity": "order_id", "value": "2024111100002"}, {"entity": "color", "value": "红色"}])
    assert intent_payload("track_order", entities) == '/track_order{"order_id":"2024111100002","color":"红色"}'
    assert intent_payload("ask_return") == "/ask_return"
    assert intent_payload("ask_return", {}) == "/ask_return"


def test_the_last_value_of_an_entity_wins_and_empty_values_are_dropped():
    entities = [
        {"entity": "color", "value": "红色"},
        {"entity": "color", "value": "白色"},
        {"entity": "size", "value": ""},
        {"value": "x"},
        None,
    ]
    assert entity_values(entities) == {"color": "白色"}
    assert entity_values(None) == {}
