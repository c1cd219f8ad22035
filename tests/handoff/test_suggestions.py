"""Suggested replies for agents, from the demo shop's imported knowledge and orders, and which message they answer."""

import pytest

from kefu.handoff import suggestions
from kefu.handoff.case_store import Message, TranscriptLine
from kefu.handoff.suggestions import (
    MAX_SUGGESTIONS,
    last_shopper_text,
    suggested_replies,
    suggestions_for_case,
)
from kefu.handoff.triggers import decide_handoff
from kefu.knowledge.store import KnowledgeStore
from tests.demo_shop.fixtures import seeded_sqlite_shop  # noqa: F401


@pytest.fixture(scope="module")
def store(seeded_sqlite_shop):
    return KnowledgeStore(seeded_sqlite_shop.engine)


def parsed(*intents):
    return {"intent": {"name": intents[0]}, "intent_ranking": [{"name": name} for name in intents]}


def test_the_faq_entry_the_message_names_comes_first(store):
    vat = next(entry for entry in store.faq("ask_invoice") if "专票" in entry.keywords)
    replies = suggested_replies("专票怎么开啊", parsed("ask_invoice"), store, "小美")
    assert replies[0] == vat.answer
    assert replies[-1].startswith("亲，您好，我是人工客服小美")


def test_the_ranked_intents_add_their_policies(store):
    replies = suggested_replies("这个能开票吗 能分期吗", parsed("ask_invoice", "ask_payment"), store)
    assert store.policy("invoice").answer in replies or any("发票" in reply for reply in replies)
    assert len(replies) <= MAX_SUGGESTIONS


def test_promotion_questions_are_answered_by_the_engine(store):
    replies = suggested_replies("有啥活动", parsed("ask_promotion"), store)
    assert any("优惠活动" in reply for reply in replies)


def test_a_message_the_model_did_not_understand_still_gets_a_greeting(store):
    assert suggested_replies("阿巴阿巴", parsed("nlu_fallback"), store) == [
        "亲，您好，我是人工客服，前面的聊天记录我都看到了，马上为您处理，请稍等～"]
    assert suggested_replies("", None, store)


# --- questions about one of the shopper's orders --------------------------------------
from kefu.backends.factory import http_backends, sql_backends  # noqa: E402
from kefu.handoff.suggestions import CaseOrders, order_meant  # noqa: E402

IN_TRANSIT, AWAITING_SHIPMENT, SIGNED = "2024111100002", "2024111100003", "2024111100001"
REFUNDED = "2024111100007"
OTHER_CUSTOMERS_ORDER = "2024111100005"


@pytest.fixture(scope="module")
def shop_orders(seeded_sqlite_shop):
    return sql_backends(engine=seeded_sqlite_shop.engine).orders


def zhang_san(shop_orders, discussed=None):
    return CaseOrders(customer_id="C0001", discussed_order_id=discussed, backend=shop_orders)


def test_where_are_my_earphones_is_answered_from_the_order_with_the_earphones(store, shop_orders):
    replies = suggested_replies("我的耳机什么时候到", parsed("track_order", "ask_delivery_time"), store,
                                case_orders=zhang_san(shop_orders))
    order = shop_orders.get_order(IN_TRANSIT)
    shipment = order.latest_shipment
    first = replies[0]
    assert IN_TRANSIT in first and "耳机" in first
    assert shipment.tracking_number in first and shipment.carrier in first
    latest_event = max(shop_orders.logistics_events(IN_TRANSIT), key=lambda event: event.occurred_at)
    assert latest_event.description in first


def test_the_product_the_message_names_picks_the_order(store, shop_orders):
    replies = suggested_replies("炒锅咋还没发货", parsed("track_order"), store, case_orders=zhang_san(shop_orders))
    assert AWAITING_SHIPMENT in replies[0] and "发货" in replies[0]
    assert IN_TRANSIT not in replies[0]


def test_without_a_name_the_order_the_conversation_was_about_is_meant(store, shop_orders):
    replies = suggested_replies("到哪了", parsed("track_order"), store,
                                case_orders=zhang_san(shop_orders, discussed=SIGNED))
    assert SIGNED in replies[0] and "签收" in replies[0]


def test_when_several_orders_could_be_meant_the_suggestion_asks_which(store, shop_orders):
    # Two of 张三's orders are on their way (one paid, one in transit).
    replies = suggested_replies("我的快递到哪了", parsed("track_order"), store, case_orders=zhang_san(shop_orders))
    assert "哪一笔" in replies[0]
    assert IN_TRANSIT in replies[0] and AWAITING_SHIPMENT in replies[0]


def test_refund_questions_pick_the_order_with_a_refund(store, shop_orders):
    # Both earphone orders name 耳机; only one of them has a refund.
    order = shop_orders.get_order(REFUNDED)
    replies = suggested_replies("耳机的退款到账没", parsed("ask_refund_status"), store,
                                case_orders=zhang_san(shop_orders))
    assert REFUNDED in replies[0] and f"{order.refunds[0].amount:.2f}" in replies[0]


def test_another_customers_order_number_is_never_looked_up(store, shop_orders):
    replies = suggested_replies(f"{OTHER_CUSTOMERS_ORDER} 到哪了", parsed("track_order"), store,
                                case_orders=zhang_san(shop_orders))
    assert all(OTHER_CUSTOMERS_ORDER not in reply for reply in replies)
    other = shop_orders.get_order(OTHER_CUSTOMERS_ORDER)
    assert all(item.product_name not in reply for reply in replies for item in other.items)


def test_an_anonymous_shoppers_case_suggests_no_order(store, shop_orders):
    anonymous = CaseOrders(customer_id=None, discussed_order_id=IN_TRANSIT, backend=shop_orders)
    replies = suggested_replies("我的耳机什么时候到", parsed("track_order"), store, case_orders=anonymous)
    assert all(IN_TRANSIT not in reply for reply in replies)
    assert replies  # still the greeting and what the knowledge base says


def test_a_shop_backend_that_is_down_leaves_the_other_suggestions(store):
    down = http_backends("http://127.0.0.1:9", timeout=0.5, retries=0).orders  # port 9: nothing listens
    replies = suggested_replies("我的耳机什么时候到", parsed("track_order"), store,
                                case_orders=CaseOrders("C0001", None, down))
    assert replies and all(IN_TRANSIT not in reply for reply in replies)
    assert replies[-1].startswith("亲，您好，我是人工客服")


def test_order_meant_prefers_what_the_message_names_over_the_conversation(shop_orders):
    orders = shop_orders.orders_of_customer("C0001", limit=10)
    assert order_meant("那个炒锅呢", orders, SIGNED, "track_order").order_id == AWAITING_SHIPMENT
    assert order_meant(f"订单{SIGNED}", orders, IN_TRANSIT, "track_order").order_id == SIGNED
    assert order_meant("取消订单", orders, None, "cancel_order").order_id == AWAITING_SHIPMENT


def test_a_cases_suggestions_answer_from_its_customers_orders_in_the_shop(store, service, seeded_sqlite_shop,
                                                                          monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(seeded_sqlite_shop.engine.url))
    monkeypatch.setenv("SHOP_BACKEND", "sql")
    shop_orders = sql_backends(engine=seeded_sqlite_shop.engine).orders
    zhang = service.open_case("s-1", decide_handoff("request_human", "转人工"), customer={"customer_id": "C0001"},
                              slots={"order_id": SIGNED}).case
    anonymous = service.open_case("s-2", decide_handoff("request_human", "转人工")).case
    suggestions._shop_orders.cache_clear()  # read from this test's shop
    try:
        assert suggestions_for_case(zhang, "到哪了", parsed("track_order")) == suggested_replies(
            "到哪了", parsed("track_order"), store, case_orders=zhang_san(shop_orders, discussed=SIGNED))
        assert all(SIGNED not in reply for reply in suggestions_for_case(anonymous, "到哪了", parsed("track_order")))
    finally:
        suggestions._shop_orders.cache_clear()


# --- which message the suggestions answer ------------------------------------------------


def _message(direction, text, id=1):
    return Message(id, 7, direction, None, text, None, None)


def test_suggestions_answer_the_shoppers_last_message(service):
    case = service.open_case("s-1", decide_handoff("request_human", "转人工"),
                             transcript=[TranscriptLine("shopper", "我的快递呢"), TranscriptLine("bot", "亲，帮您查")]).case
    assert last_shopper_text(case, []) == "我的快递呢"
    messages = [_message("shopper", "运费险怎么用", 1), _message("agent", "您好", 2), _message("system", "演示客服 接入", 3)]
    assert last_shopper_text(case, messages) == "运费险怎么用"
    bare = service.open_case("s-2", decide_handoff("request_human", "转人工")).case
    assert last_shopper_text(bare, []) is None
