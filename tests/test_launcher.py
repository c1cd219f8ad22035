"""End to end: the real action server and Rasa server, over HTTP."""

import uuid

import pytest
import requests
import yaml

from kefu.chat import render, send
from kefu.settings import PROJECT_ROOT

RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def texts_of(response_name):
    return {variant["text"] for variant in RESPONSES[response_name]}


def talk(assistant, text):
    return send(assistant.rasa_url, f"test-{uuid.uuid4().hex[:8]}", text)


def test_delivery_question_in_colloquial_chinese_is_answered(running_assistant):
    replies = talk(running_assistant, "这玩意儿啥时候能送来啊")
    assert [r["text"] for r in replies] and replies[0]["text"] in texts_of("utter_ask_delivery_time")


def test_model_parse_endpoint_classifies_intent_and_extracts_order_number(running_assistant):
    answer = requests.post(
        f"{running_assistant.rasa_url}/model/parse",
        json={"text": "帮我查下订单2024111100002到哪了"},
        timeout=30,
    ).json()
    assert answer["intent"]["name"] == "track_order"
    order_ids = [e["value"] for e in answer["entities"] if e["entity"] == "order_id"]
    assert order_ids == ["2024111100002"]


def test_colour_synonym_is_normalised(running_assistant):
    answer = requests.post(
        f"{running_assistant.rasa_url}/model/parse", json={"text": "有大红的吗"}, timeout=30
    ).json()
    colours = [e["value"] for e in answer["entities"] if e["entity"] == "color"]
    assert colours == ["红色"]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀🙏", "啊" * 10000, "<script>alert(1)</script>"],
    ids=["empty", "blank", "emoji-only", "10k-characters", "markup"],
)
def test_odd_messages_get_a_clear_reply_not_an_error(running_assistant, text):
    replies = talk(running_assistant, text)
    assert replies, "the shopper must never be left without an answer"
    assert all(reply.get("text") for reply in replies)


def test_tracker_endpoint_shows_the_conversation(running_assistant):
    sender = f"test-{uuid.uuid4().hex[:8]}"
    send(running_assistant.rasa_url, sender, "你好")
    tracker = requests.get(
        f"{running_assistant.rasa_url}/conversations/{sender}/tracker", timeout=30
    ).json()
    assert tracker["latest_message"]["intent"]["name"] == "greet"
    assert any(e.get("name") == "utter_greet" for e in tracker["events"] if e["event"] == "action")


def test_chat_client_renders_buttons():
    reply = {"text": "选一个", "buttons": [{"title": "订单A", "payload": "/inform"}]}
    assert render(reply) == "选一个\n   [1] 订单A"
