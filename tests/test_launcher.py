"""End to end: the real action server and Rasa server, over HTTP."""

import uuid

import pytest
import requests

from kefu.chat import render
from kefu.settings import PROJECT_ROOT
from tests.shopper import Shopper


def test_delivery_question_in_colloquial_chinese_is_answered(running_assistant):
    assert Shopper(running_assistant).says("这玩意儿啥时候能送来啊") == ["delivery_general"]


def test_delivery_time_to_a_named_city_comes_from_the_warehouses(running_assistant):
    shopper = Shopper(running_assistant)
    assert shopper.says("发到乌鲁木齐要几天啊") == ["delivery_estimate"]
    assert "乌鲁木齐" in shopper.texts()[0]


def test_postage_to_a_remote_region(running_assistant):
    shopper = Shopper(running_assistant)
    assert shopper.says("寄新疆运费多少") == ["shipping_fee_never_free"]
    assert "25" in shopper.texts()[0]


def test_model_parse_endpoint_classifies_intent_and_extracts_order_number(running_assistant):
    answer = requests.post(
        f"{running_assistant.rasa_url}/model/parse",
        json={"text": "帮我查下订单2024111100002到哪了"},
        params=running_assistant.api_params,
        timeout=30,
    ).json()
    assert answer["intent"]["name"] == "track_order"
    order_ids = [e["value"] for e in answer["entities"] if e["entity"] == "order_id"]
    assert order_ids == ["2024111100002"]


def test_colour_synonym_is_normalised(running_assistant):
    answer = requests.post(
        f"{running_assistant.rasa_url}/model/parse", json={"text": "有大红的吗"},
        params=running_assistant.api_params, timeout=30,
    ).json()
    colours = [e["value"] for e in answer["entities"] if e["entity"] == "color"]
    assert colours == ["红色"]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀🙏", "啊" * 10000, "<script>alert(1)</script>"],
    ids=["empty", "blank", "emoji-only", "10k-characters", "markup"],
)
def test_odd_messages_get_a_clear_reply_not_an_error(running_assistant, text):
    shopper = Shopper(running_assistant)
    shopper.says(text)
    assert shopper.last, "the shopper must never be left without an answer"
    assert all(shopper.texts())


def test_tracker_endpoint_shows_the_conversation(running_assistant):
    shopper = Shopper(running_assistant)
    shopper.says("你好")
    tracker = shopper.tracker()  # GET /conversations/<sender>/tracker
    assert tracker["latest_message"]["intent"]["name"] == "greet"
    assert any(e.get("name") == "utter_greet" for e in tracker["events"] if e["event"] == "action")


def test_chat_client_renders_buttons():
    reply = {"text": "选一个", "buttons": [{"title": "订单A", "payload": "/inform"}]}
    assert render(reply) == "选一个\n   [1] 订单A"


def test_logged_in_shopper_gets_the_status_of_an_order(running_assistant):
    shopper = Shopper(running_assistant, "C0001")
    assert shopper.says("帮我查下订单2024111100002到哪了")[:2] == ["order_summary", "order_logistics"]
    assert "2024111100002" in shopper.texts()[0]


def test_anonymous_shopper_proves_the_order_is_theirs_first(running_assistant):
    shopper = Shopper(running_assistant)
    assert shopper.says("我买的东西到哪了") == ["ask_order_id"]
    assert shopper.says("2024111100002") == ["ask_phone_last4"]
    assert shopper.says("尾号0001")[0] == "order_summary"
    assert "2024111100002" in shopper.texts()[0]


def test_someone_elses_order_is_not_shown(running_assistant):
    shopper = Shopper(running_assistant)
    shopper.says("查下物流")
    shopper.says("2024111100005")
    assert shopper.says("0001")[0] == "order_no_match"
    assert "2024111100005" not in shopper.text()


@pytest.mark.parametrize(
    "text, customer_id",
    [
        ("订单2024111100002到哪了", "C0001"),
        ("发到成都几天能到", None),
        ("T恤是纯棉的吗", None),
    ],
    ids=["order", "delivery", "product"],
)
def test_shop_system_down_gets_an_apology_and_the_offer_of_an_agent(assistant_with_shop_down, text, customer_id):
    shopper = Shopper(assistant_with_shop_down, customer_id)
    assert shopper.says(text) == ["backend_unavailable"]
    assert shopper.last[0]["buttons"][0]["payload"] == "/request_human"


def test_terminating_make_run_stops_both_servers(trained_model, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    environment = dict(
        os.environ, RASA_PORT="5120", ACTION_PORT="5170",
        TRACKER_DB_NAME=str(tmp_path / "tracker.db"), DATABASE_URL=f"sqlite:///{tmp_path / 'shop.db'}",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    launcher = subprocess.Popen([sys.executable, "-m", "kefu.launcher"], cwd=PROJECT_ROOT, env=environment,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, started = time.monotonic() + 180, False
    while not started and time.monotonic() < deadline:
        try:
            started = requests.get("http://localhost:5120/status", timeout=2).status_code == 200
        except requests.RequestException:
            time.sleep(1)
    launcher.send_signal(signal.SIGTERM)
    assert started, "the launcher never brought Rasa up"
    assert launcher.wait(timeout=60) == 0
    for port in (5120, 5170):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://localhost:{port}/", timeout=2)


def test_the_shell_keeps_its_session_token_and_shows_the_channels_own_answers(running_assistant):
    from kefu.channels.clients import notice
    from kefu.chat import ShellConversation
    from kefu.settings import Settings

    shell = ShellConversation(running_assistant.rasa_url, f"shell-{uuid.uuid4().hex[:8]}")
    assert shell.say("你好")
    token = shell.session_token
    assert token, "the first answer gives the session its token"
    assert shell.say("包邮吗") and shell.session_token == token  # sent back, accepted, unchanged
    # A message the channel refuses is answered, in the same shape, not raised as a failure.
    refused = shell.say("啊" * 5000)
    assert refused == [notice(shell.sender, "channel_message_too_long", max_chars=Settings.from_env().message_max_chars)]

    stranger = ShellConversation(running_assistant.rasa_url, shell.sender)
    stranger.session_token = "not-the-token"
    with pytest.raises(requests.HTTPError):
        stranger.say("我的快递到哪了")
