"""The conversation gaps of issue 14, end to end over the REST webhook: the real Rasa server and action server the
live suites share (``running_assistant``, on the seeded demo shop), the shopper signed in as 张三 (C0001) unless
said otherwise. The user text goes through the real NLU, so these need a trained model (`make train`); without one
they skip."""

import pytest

from tests.shopper import Shopper

HANDOFF_AND_APOLOGY = ("action_handoff_to_human", "utter_complain")


@pytest.fixture(scope="module")
def assistant(running_assistant):
    return running_assistant


@pytest.mark.parametrize("text", ["我想退货", "我要退货 尺码买大了"])
def test_wanting_a_return_starts_it(assistant, text):
    shopper = Shopper(assistant, "C0001")
    replies = shopper.says(text)
    assert "task_intro_return" in replies and "return_policy_general" not in replies
    assert "choose_order_for_task" in replies  # which order? (the signed-in shopper's orders as buttons)
    assert "2024111100001" in str(shopper.last)


def test_a_return_policy_question_still_gets_the_policy(assistant):
    assert Shopper(assistant, "C0001").says("七天无理由退货吗")[0] in ("return_policy_general", "return_route_no_reason_return")


def test_a_grievance_about_the_shoppers_own_parcel_shows_that_order(assistant):
    shopper = Shopper(assistant, "C0001")
    replies = shopper.says("没收到货啊 都好几天了")
    assert replies[0] == "order_summary"
    assert "2024111100002" in shopper.text()


def test_an_anonymous_grievance_gets_the_general_times_or_is_asked_for_the_order(assistant):
    replies = Shopper(assistant).says("没收到货啊 都好几天了")
    assert replies[0] in ("delivery_general", "ask_order_id")


@pytest.mark.parametrize("text", ["质量不错，好评！", "衣服收到了，一点都不差，很满意"])
def test_praise_is_thanked_and_never_handed_off(assistant, text):
    shopper = Shopper(assistant, "C0001")
    shopper.says(text)
    assert "评价" in shopper.text()
    assert not set(HANDOFF_AND_APOLOGY) & set(shopper.actions_run())


# Praise in the middle of an after-sales task: thanked, the form's question asked again, nothing taken for
# its answer, never an apology or a handoff (data/rules/after_sales.yml, praise in domain.yml's not_intent).
PRAISE = "质量其实挺好的 好评"
ORDER_BUTTON = '/inform{"order_id":"2024111100001"}'


def praised_in_the_form(shopper, question):
    """Praise while the form asks ``question`` (a template): thanked, then asked the same again."""
    replies = shopper.says(PRAISE)
    assert replies[-1] == question, replies
    assert "评价" in shopper.text() and "utter_praise" in shopper.actions_run()
    tracker = shopper.tracker()
    assert tracker["active_loop"].get("name") == "after_sales_form"
    return tracker["slots"]


def test_praise_while_asked_which_order_is_thanked_and_the_return_goes_on(assistant):
    shopper = Shopper(assistant, "C0001")
    assert "choose_order_for_task" in shopper.says("我想退货")

    slots = praised_in_the_form(shopper, "choose_order_for_task")

    assert slots["requested_slot"] == "order_id" and slots["order_id"] is None
    assert ORDER_BUTTON in shopper.button_payloads()
    assert shopper.says(ORDER_BUTTON) == ["ask_return_reason"]
    assert not set(HANDOFF_AND_APOLOGY) & set(shopper.actions_run())


def test_praise_while_asked_the_reason_is_not_the_reason(assistant):
    shopper = Shopper(assistant, "C0001")
    shopper.says("我想退货")
    assert shopper.says(ORDER_BUTTON) == ["ask_return_reason"]

    slots = praised_in_the_form(shopper, "ask_return_reason")

    assert slots["requested_slot"] == "return_reason" and slots["return_reason"] is None
    assert shopper.says("尺码不合适") == ["ask_item_condition"]
    assert shopper.tracker()["slots"]["return_reason"] == "尺码不合适"
    assert not set(HANDOFF_AND_APOLOGY) & set(shopper.actions_run())


def test_praise_in_the_middle_of_an_exchange_goes_on_with_the_exchange(assistant):
    shopper = Shopper(assistant, "C0001")
    shopper.says("我想换大一码")
    question = shopper.says(ORDER_BUTTON)[-1]
    assert question == "ask_exchange_variant", question

    slots = praised_in_the_form(shopper, question)

    assert slots["requested_slot"] == "exchange_variant" and slots["exchange_variant"] is None
    assert not set(HANDOFF_AND_APOLOGY) & set(shopper.actions_run())


def test_why_a_coupon_does_not_apply(assistant):
    shopper = Shopper(assistant, "C0001")
    replies = shopper.says("我的优惠券怎么用不了")
    assert replies[0] == "coupon_why_not_for_order"
    assert "2024111100003" in shopper.text()


@pytest.mark.parametrize("text", ["降价了能退差价吗", "申请价保失败了"])
def test_price_protection_for_the_shoppers_order(assistant, text):
    shopper = Shopper(assistant, "C0001")
    assert shopper.says(text)[0] in ("protection_for_order", "protection_refused_for_order")
    assert "订单 20241111000" in shopper.text()
