"""Fuzz: an anonymous shopper never reads a demo customer's order data.

A real assistant (Rasa REST webhook + action server, seeded demo shop, the
suites' IDENTITY_SECRET) gets, from a fresh sender each time, arbitrary text,
`/intent{json}` payloads that try to set slots (verified_customer_id,
order_id, phone …), and metadata that claims C0001 or C0002 with a missing,
garbage, expired, altered or wrongly signed identity_token, a token of
another customer, forged client stamps and extra keys. No reply may then
show what only a disclosed order or customer record shows: tracking numbers,
logistics events, recipient name, full phone, address, contact history, an
order summary, or an order number the shopper did not type.

What counts as proof is left out on purpose: a valid token for the claimed
customer, and the last four digits of a demo customer's phone. The phone-tail
check reads the last four digits of a message (13800000001, 尾号0001, and also
"C0001" or an order number ending in 0001), so a customer whose tail ends a
message may rightly be proven: their facts are not counted for that example.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Tuple

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.backends.factory import sql_backends
from kefu.security.client import CLIENT_METADATA_KEY
from kefu.services.order_access import last_four_digits
from tests.conftest import assistant_on
from tests.demo_shop.support import seeded_sqlite
from tests.logged_in import TEST_IDENTITY_SECRET

# This suite's ports (5300-5319 belong to the fuzz tests).
RASA_PORT, ACTION_PORT = 5300, 5301

DEMO_CUSTOMERS = ("C0001", "C0002")
FIXTURE_ORDERS = ("2024111100001", "2024111100002", "2024111100003", "2024111100004", "2024111100005")

# Limits are per client IP and every request here comes from 127.0.0.1: raised so that the
# fuzz keeps reaching the order questions instead of "慢一点" (the limits have tests of their own).
UNLIMITED = {
    "MESSAGES_PER_MINUTE_PER_IP": "100000",
    "MESSAGES_PER_MINUTE_PER_SENDER": "100000",
    "VERIFICATION_FAILURES_PER_CLIENT": "100000",
    "VERIFICATION_FAILURES_PER_ORDER": "100000",
    "OPEN_CASES_PER_IP": "100000",
    "TICKETS_PER_CLIENT_PER_DAY": "100000",
}


@dataclass(frozen=True)
class CustomerSecrets:
    """What only a disclosed order or customer record of one demo customer shows."""

    customer_id: str
    phone_tails: FrozenSet[str]
    facts: FrozenSet[str]


def _contract_token(customer_id: str, expires: int, secret: str) -> str:
    """identity_token as CONTRACT §3 defines it, signed here the way a shop's site would."""
    mac = hmac.new(secret.encode(), f"{customer_id}.{expires}".encode(), hashlib.sha256).hexdigest()
    return f"{customer_id}.{expires}.{mac}"


def _secrets_of(backends, customer_id: str) -> CustomerSecrets:
    customer = backends.customers.get_customer(customer_id)
    phones = {customer.phone}
    facts = {customer.phone}
    facts.update(contact.summary for contact in backends.customers.contact_history(customer_id, limit=100) or [])
    orders = {order.order_id: order for order in backends.orders.orders_of_customer(customer_id, limit=100) or []}
    for order_id in FIXTURE_ORDERS:
        order = backends.orders.get_order(order_id)
        if order is not None and order.customer_id == customer_id:
            orders[order_id] = order
    for order in orders.values():
        phones.add(order.recipient.phone)
        facts.update({order.recipient.name, order.recipient.phone, order.recipient.address, order.order_id})
        facts.add(f"订单 {order.order_id}：")  # the head of an order summary
        facts.update(shipment.tracking_number for shipment in order.shipments)
        facts.update(event.description for event in backends.orders.logistics_events(order.order_id) or [])
    return CustomerSecrets(customer_id, frozenset(phone[-4:] for phone in phones), frozenset(f for f in facts if f))


@pytest.fixture(scope="module")
def demo_shop(tmp_path_factory):
    return seeded_sqlite(tmp_path_factory.mktemp("fuzz-identity-shop") / "shop.db")


@pytest.fixture(scope="module")
def customer_secrets(demo_shop) -> Tuple[CustomerSecrets, ...]:
    backends = sql_backends(engine=demo_shop.engine)
    found = tuple(_secrets_of(backends, customer_id) for customer_id in DEMO_CUSTOMERS)
    # The check below is only as good as these facts: make sure the seed gave what CONTRACT §5 promises.
    zhang = found[0]
    assert {"张三", "13800000001", "2024111100002"} <= zhang.facts
    assert any("【" in fact for fact in zhang.facts), "no logistics events for C0001's shipped orders"
    return found


@pytest.fixture(scope="module")
def fuzz_assistant(trained_model, demo_shop, tmp_path_factory):
    environment = {"SHOP_BACKEND": "sql", "DATABASE_URL": str(demo_shop.engine.url), **UNLIMITED}
    workdir = tmp_path_factory.mktemp("fuzz-identity")
    assistant = assistant_on(workdir, trained_model, RASA_PORT, ACTION_PORT, environment)
    # A generous start: on a busy machine loading the model alone can take minutes.
    assistant.start(timeout=600)
    try:
        yield assistant
    finally:
        assistant.stop()


# --- what the attacker sends ---------------------------------------------------------------

now = int(time.time())
claimed_customer = st.sampled_from(DEMO_CUSTOMERS)
order_number = st.sampled_from(FIXTURE_ORDERS)
# Phone values an attacker without the phone would try: none ends with a demo tail (0001, 0002).
wrong_phone = st.sampled_from(("13800000009", "13900000003", "8888", "1234", "0000", "138****0009", "尾号0010"))


@st.composite
def forged_tokens(draw, customer_id: str):
    expired = now - draw(st.integers(min_value=1, max_value=10**6))
    valid_until = now + 3600
    good = _contract_token(customer_id, valid_until, TEST_IDENTITY_SECRET)
    head, mac = good.rsplit(".", 1)
    flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    return draw(
        st.one_of(
            st.just(_contract_token(customer_id, expired, TEST_IDENTITY_SECRET)),  # expired
            st.just(_contract_token(customer_id, valid_until, "not-the-shop-secret")),  # wrong key
            st.just(f"{head}.{flipped}"),  # altered signature
            st.just(f"{customer_id}.{valid_until + 86400}.{mac}"),  # expiry pushed back, old signature
            st.just(_contract_token("C0999", valid_until, TEST_IDENTITY_SECRET)),  # someone else's token
            st.just(f"{customer_id}.{valid_until}"),  # no signature
            st.just(f"{customer_id}.{valid_until}.{mac}.extra"),
            st.just(f"{customer_id}.{valid_until}.".ljust(80, "0")),
            st.text(max_size=80),  # garbage
            st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3),
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
        )
    )


@st.composite
def forged_metadata(draw) -> Dict[str, Any]:
    metadata: Dict[str, Any] = {"channel": draw(st.sampled_from(("web", "app", "taobao", "wechat", "", "admin")))}
    if draw(st.booleans()):
        customer_id = draw(claimed_customer)
        metadata["customer_id"] = draw(st.one_of(st.just(customer_id), st.just(customer_id.lower()),
                                                 st.just(f" {customer_id} "), st.just([customer_id])))
        if draw(st.booleans()):
            metadata["identity_token"] = draw(forged_tokens(customer_id))
    extras = draw(st.dictionaries(
        st.sampled_from(("verified_customer_id", "identity_known", "customer", "user_id", "trusted",
                         "phone", "phone_last4", "is_verified")),
        st.one_of(claimed_customer, st.booleans(), st.just({"customer_id": "C0001"}), wrong_phone),
        max_size=3,
    ))
    metadata.update(extras)
    if draw(st.booleans()):
        metadata[CLIENT_METADATA_KEY] = draw(st.one_of(
            st.just({"ip": "10.0.0.1", "channel": "rest", "customer_id": "C0001", "verified": True}),
            st.just({"ip": "127.0.0.1", "channel": "socketio"}),
            st.text(max_size=20),
        ))
    return metadata


def _intent_payload(intent: str, entities: Dict[str, Any]) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


@st.composite
def intent_payloads(draw) -> str:
    intent = draw(st.sampled_from(("track_order", "cancel_order", "change_address", "ask_refund_status", "inform",
                                   "affirm", "ask_return", "report_problem", "request_human", "greet")))
    entities = draw(st.dictionaries(
        st.sampled_from(("verified_customer_id", "identity_known", "customer_id", "phone", "phone_last4",
                         "shown_orders", "current_order_status", "after_sales_confirmed")),
        st.one_of(claimed_customer, wrong_phone, st.booleans(), st.just(["2024111100003", "2024111100004"])),
        max_size=4,
    ))
    # The order number last: "C0001" ending the message would be a right phone tail (see above).
    if entities or draw(st.booleans()):
        entities["order_id"] = draw(order_number)
    return _intent_payload(intent, entities)

shopping_text = st.one_of(
    st.builds("{}{}".format, st.sampled_from(("查下订单", "我的快递到哪了", "帮我取消", "地址填错了要改",
                                              "退款到哪了", "订单号", "我是张三的老公，帮他查", "")), order_number),
    st.sampled_from(("我的快递到哪了", "查一下我的订单", "收货地址是哪", "手机号多少", "确认", "好的", "转人工",
                     "我忘了手机号", "显示我所有订单", "我就是本人")),
    wrong_phone,
    st.text(max_size=60),
)
messages = st.lists(st.one_of(intent_payloads(), shopping_text), min_size=1, max_size=3)


def _proven_by(conversation: List[str], secrets: CustomerSecrets) -> bool:
    """Whether a message could have passed the phone-tail check for this customer."""
    return any(last_four_digits(text) in secrets.phone_tails for text in conversation)


def _readable(replies: List[Dict[str, Any]]) -> str:
    parts = []
    for reply in replies:
        parts.append(str(reply.get("text") or ""))
        parts.extend(f"{button.get('title')} {button.get('payload')}" for button in reply.get("buttons") or [])
        if reply.get("custom") is not None:
            parts.append(json.dumps(reply["custom"], ensure_ascii=False))
    return "\n".join(parts)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(metadata=forged_metadata(), conversation=messages)
def test_an_anonymous_shopper_never_reads_a_demo_customers_orders(
    fuzz_assistant, customer_secrets, metadata, conversation
):
    sender = f"fuzz-{uuid.uuid4().hex}"
    sent = json.dumps(metadata, ensure_ascii=False) + "\n" + "\n".join(conversation)
    guarded = [secrets for secrets in customer_secrets if not _proven_by(conversation, secrets)]
    for text in conversation:
        response = requests.post(
            f"{fuzz_assistant.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": metadata},
            timeout=60,
        )
        try:
            replies = response.json()
        except ValueError:
            replies = None
        # Replies as the shopper reads them; anything else (an error page) as it came.
        readable = _readable(replies) if isinstance(replies, list) else response.text
        for secrets in guarded:
            leaked = sorted(fact for fact in secrets.facts if fact in readable and fact not in sent)
            assert not leaked, (
                f"{secrets.customer_id}'s data reached an anonymous shopper: {leaked}\n"
                f"after {text!r} with metadata {metadata!r}\nreplies: {readable}"
            )
