import json

import pytest

from actions.clarification import ActionClarify
from kefu.services.clarification import HUMAN_PAYLOAD, REPHRASE_PAYLOAD
from tests.actions.conftest import entity, make_tracker, responses, run_action


@pytest.fixture(autouse=True)
def knowledge(shop_backends):
    """The demo shop's FAQ and product Q&A (the retrieval step reads them): every test sees the same."""
    return shop_backends


def fallback_tracker(ranking, entities=(), earlier=(), text="那个单子咋样了 2024111100002"):
    """The latest message went to nlu_fallback with this real ranking; ``earlier`` events come before it."""
    tracker = make_tracker(text=text, intent="nlu_fallback", entities=entities)
    tracker.latest_message["intent"]["confidence"] = 0.3
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.3}] + [
        {"name": name, "confidence": confidence} for name, confidence in ranking
    ]
    tracker.events[:0] = list(earlier)
    return tracker


def user(text, intent):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": 1.0}}}


CLOSE = [("track_order", 0.28), ("ask_delivery_time", 0.25), ("ask_return", 0.04)]


def buttons(dispatcher):
    return [(b["title"], b["payload"]) for m in dispatcher.messages for b in m.get("buttons") or []]


def test_two_close_intents_become_two_buttons_carrying_the_entities():
    tracker = fallback_tracker(CLOSE, entities=[entity("order_id", "2024111100002"), entity("location", "成都")])
    dispatcher, events = run_action(ActionClarify(), tracker)
    assert responses(dispatcher) == ["clarify_choose"]
    assert buttons(dispatcher) == [
        ("查订单/物流", '/track_order{"order_id":"2024111100002","location":"成都"}'),
        ("多久能送到", '/ask_delivery_time{"order_id":"2024111100002","location":"成都"}'),
        ("都不是，转人工", HUMAN_PAYLOAD),
    ]
    assert events == []


def test_payload_entities_are_json_rasa_can_read_back():
    tracker = fallback_tracker(CLOSE, entities=[entity("product", "蓝牙耳机"), entity("color", "白色")])
    dispatcher, _ = run_action(ActionClarify(), tracker)
    payload = buttons(dispatcher)[0][1]
    assert payload.startswith("/track_order{")
    assert json.loads(payload[len("/track_order"):]) == {"product": "蓝牙耳机", "color": "白色"}


def test_one_clear_candidate_is_asked_about_alone():
    dispatcher, _ = run_action(ActionClarify(), fallback_tracker([("ask_return", 0.27), ("ask_exchange", 0.09)]))
    assert responses(dispatcher) == ["clarify_confirm"]
    assert buttons(dispatcher) == [("退货退款", "/ask_return"), ("不是，转人工", HUMAN_PAYLOAD)]


def test_no_candidate_asks_to_rephrase():
    dispatcher, _ = run_action(ActionClarify(), fallback_tracker([("greet", 0.2), ("out_of_scope", 0.15)]))
    assert responses(dispatcher) == ["clarify_rephrase"]
    assert buttons(dispatcher) == []


def test_the_second_miss_in_a_row_offers_a_human():
    earlier = [user("你好", "greet"), user("嗯那个呢", "nlu_fallback"), {"event": "bot", "text": "…"}]
    dispatcher, _ = run_action(ActionClarify(), fallback_tracker(CLOSE, earlier=earlier))
    assert responses(dispatcher) == ["clarify_offer_human"]
    assert buttons(dispatcher) == [("转人工客服", HUMAN_PAYLOAD), ("换个说法", REPHRASE_PAYLOAD)]


def test_a_miss_then_an_understood_message_starts_the_count_again():
    earlier = [user("嗯那个呢", "nlu_fallback"), user("我的快递到哪了", "track_order")]
    dispatcher, _ = run_action(ActionClarify(), fallback_tracker(CLOSE, earlier=earlier))
    assert responses(dispatcher) == ["clarify_choose"]


def test_a_button_click_counts_as_understood():
    earlier = [user("嗯那个呢", "nlu_fallback"), user('/ask_return{"order_id":"2024111100002"}', "ask_return")]
    dispatcher, _ = run_action(ActionClarify(), fallback_tracker(CLOSE, earlier=earlier))
    assert responses(dispatcher) == ["clarify_choose"]


def test_clicking_rephrase_asks_to_rephrase():
    # The "换个说法" button: a click that parses to nlu_fallback with no real ranking.
    earlier = [user("嗯那个呢", "nlu_fallback"), user("这个那个", "nlu_fallback")]
    tracker = fallback_tracker([], earlier=earlier, text=REPHRASE_PAYLOAD)
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 1.0}]
    dispatcher, _ = run_action(ActionClarify(), tracker)
    assert responses(dispatcher) == ["clarify_rephrase"]


def test_a_message_without_a_ranking_does_not_crash():
    tracker = make_tracker(text="", intent="nlu_fallback")
    dispatcher, events = run_action(ActionClarify(), tracker)
    assert responses(dispatcher) == ["clarify_rephrase"]
    assert events == []


# --- retrieval before giving up -----------------------------------------------------------------


def test_a_clear_faq_match_is_answered_instead_of_buttons():
    dispatcher, events = run_action(ActionClarify(), fallback_tracker(CLOSE, text="亲 电子发票去哪里下载啊"))
    assert responses(dispatcher) == ["retrieved_answer"]
    assert "电子发票" in dispatcher.messages[0]["text"] and buttons(dispatcher) == [("转人工客服", HUMAN_PAYLOAD)]
    assert events == []


def test_the_product_discussed_answers_from_its_qa():
    tracker = fallback_tracker(CLOSE, text="在么 带数据线么?")
    tracker.slots["current_product_id"] = "P3001"
    dispatcher, _ = run_action(ActionClarify(), tracker)
    assert responses(dispatcher) == ["retrieved_answer"] and "Type-C充电线" in dispatcher.messages[0]["text"]


def test_another_products_qa_is_never_answered():
    dispatcher, _ = run_action(ActionClarify(), fallback_tracker(CLOSE, text="在么 带数据线么?"))
    assert responses(dispatcher) == ["clarify_choose"]


def test_a_message_about_the_shoppers_own_order_still_gets_the_buttons():
    dispatcher, _ = run_action(ActionClarify(), fallback_tracker(CLOSE, text="我想退货"))
    assert responses(dispatcher) == ["clarify_choose"]


def test_knowledge_that_cannot_be_read_means_clarification(monkeypatch):
    class Down:
        def faq(self):
            from kefu.backends.errors import BackendUnavailable
            raise BackendUnavailable("the database is down")

    monkeypatch.setattr("actions.clarification.shared_store", lambda: Down())
    dispatcher, _ = run_action(ActionClarify(), fallback_tracker(CLOSE, text="电子发票去哪里下载啊"))
    assert responses(dispatcher) == ["clarify_choose"]
