"""The conversation gaps of issue 14, end to end over the REST webhook: a real Rasa server and action server on
a demo shop of their own, the shopper signed in as 张三 (C0001) unless said otherwise. The user text goes
through the real NLU, so these need a trained model (`make train`); without one they skip."""

import uuid

import pytest
import requests

from kefu.chat import send
from kefu.replies import identify
from tests.conftest import seeded_assistant
from tests.logged_in import logged_in

RASA_PORT, ACTION_PORT = 5111, 5161
HANDOFF_AND_APOLOGY = ("action_handoff_to_human", "utter_complain")


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    with seeded_assistant(tmp_path_factory.mktemp("dialogue-gaps"), trained_model, RASA_PORT, ACTION_PORT) as running:
        yield running


class Shopper:
    def __init__(self, assistant, customer_id="C0001"):
        self.assistant = assistant
        self.sender = f"gaps-{uuid.uuid4().hex[:8]}"
        self.metadata = logged_in(customer_id, channel="web") if customer_id else {"channel": "web"}
        self.last = []

    def says(self, text):
        """The templates of the replies (None for a reply that is not one of data/responses/)."""
        self.last = send(self.assistant.rasa_url, self.sender, text, metadata=self.metadata)
        return [identify(reply.get("text") or "") for reply in self.last]

    def text(self):
        return "\n".join(reply.get("text") or "" for reply in self.last)

    def actions_run(self):
        answer = requests.get(f"{self.assistant.rasa_url}/conversations/{self.sender}/tracker",
                              params=self.assistant.api_params, timeout=30)
        answer.raise_for_status()
        return [event.get("name") for event in answer.json()["events"] if event.get("event") == "action"]


@pytest.mark.parametrize("text", ["我想退货", "我要退货 尺码买大了"])
def test_wanting_a_return_starts_it(assistant, text):
    shopper = Shopper(assistant)
    replies = shopper.says(text)
    assert "task_intro_return" in replies and "return_policy_general" not in replies
    assert "choose_order_for_task" in replies  # which order? (the signed-in shopper's orders as buttons)
    assert "2024111100001" in str(shopper.last)


def test_a_return_policy_question_still_gets_the_policy(assistant):
    assert Shopper(assistant).says("七天无理由退货吗")[0] in ("return_policy_general", "return_route_no_reason_return")


def test_a_grievance_about_the_shoppers_own_parcel_shows_that_order(assistant):
    shopper = Shopper(assistant)
    replies = shopper.says("没收到货啊 都好几天了")
    assert replies[0] == "order_summary"
    assert "2024111100002" in shopper.text()


def test_an_anonymous_grievance_gets_the_general_times_or_is_asked_for_the_order(assistant):
    replies = Shopper(assistant, customer_id=None).says("没收到货啊 都好几天了")
    assert replies[0] in ("delivery_general", "ask_order_id")


@pytest.mark.parametrize("text", ["质量不错，好评！", "衣服收到了，一点都不差，很满意"])
def test_praise_is_thanked_and_never_handed_off(assistant, text):
    shopper = Shopper(assistant)
    shopper.says(text)
    assert "评价" in shopper.text()
    assert not set(HANDOFF_AND_APOLOGY) & set(shopper.actions_run())


def test_why_a_coupon_does_not_apply(assistant):
    shopper = Shopper(assistant)
    replies = shopper.says("我的优惠券怎么用不了")
    assert replies[0] == "coupon_why_not_for_order"
    assert "2024111100003" in shopper.text()


@pytest.mark.parametrize("text", ["降价了能退差价吗", "申请价保失败了"])
def test_price_protection_for_the_shoppers_order(assistant, text):
    shopper = Shopper(assistant)
    assert shopper.says(text)[0] in ("protection_for_order", "protection_refused_for_order")
    assert "订单 20241111000" in shopper.text()
