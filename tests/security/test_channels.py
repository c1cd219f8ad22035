"""The shoppers' doors tried as an attacker would, on real Rasa servers (docs/security.md: the shoppers'
channels): a sender id alone gets nobody's agent replies, over REST or socket.io; the client's address
in the metadata is the channel's; long and fast messages are answered, not processed and not dropped;
a message the handoff database could not take is never answered with a silent 200 []."""

import asyncio
import uuid

import pytest
import requests
from sqlalchemy import text as sql

from kefu.channels.sessions import TOKEN_HEADER
from kefu.security.client import CLIENT_METADATA_KEY
from tests.channels.support import AgentClient, Shopper, from_agent, from_bot, handoff_site
from tests.channels.test_socketio import SocketShopper, blocking

RASA_PORT, ACTION_PORT = 5240, 5241
PROXIED_RASA_PORT, PROXIED_ACTION_PORT = 5242, 5243
MAX_CHARS = 200
PER_SENDER, PER_IP = 4, 6


@pytest.fixture(scope="module")
def site(trained_model, tmp_path_factory):
    with handoff_site(tmp_path_factory.mktemp("security-channels"), trained_model, RASA_PORT, ACTION_PORT,
                      MESSAGE_MAX_CHARS=str(MAX_CHARS), HANDOFF_SOCKET_POLL_SECONDS="1") as running:
        yield running


@pytest.fixture(scope="module")
def proxied_site(trained_model, tmp_path_factory):
    """Behind a trusted reverse proxy (X-Forwarded-For), with small limits."""
    with handoff_site(tmp_path_factory.mktemp("security-channels-proxied"), trained_model,
                      PROXIED_RASA_PORT, PROXIED_ACTION_PORT, TRUST_FORWARDED_HEADERS="true",
                      MESSAGES_PER_MINUTE_PER_SENDER=str(PER_SENDER),
                      MESSAGES_PER_MINUTE_PER_IP=str(PER_IP)) as running:
        yield running


def webhook(site, sender, text, headers=None, metadata=None):
    return requests.post(f"{site.rasa_url}/webhooks/rest/webhook", headers=headers or {}, timeout=60,
                         json={"sender": sender, "message": text, "metadata": metadata or {}})


def poll(site, sender, params=None, headers=None):
    return requests.get(f"{site.rasa_url}/webhooks/rest/messages", headers=headers or {}, timeout=30,
                        params={"sender": sender, **(params or {})})


def victim_with_agent_reply(site, reply="亲，您的收货电话是 138****0001 对吗？"):
    victim = Shopper(site)
    victim.says("你好")
    case = site.open_case(victim.sender)
    agent = AgentClient(site)
    agent.claim(case.id)
    agent.reply(case.id, reply)
    return victim, case


def undelivered(site, case):
    return [m.text for m in site.service.messages(case.id) if m.direction == "agent" and m.delivered_at is None]


# --- sessions: the sender id is no credential -------------------------------------------------------------


def test_a_new_sender_gets_a_session_token_and_the_body_stays_rasas(site):
    answer = webhook(site, f"new-{uuid.uuid4().hex}", "你好")
    assert answer.status_code == 200
    assert len(answer.headers[TOKEN_HEADER]) >= 43
    assert isinstance(answer.json(), list) and from_bot(answer.json())


def test_another_shoppers_poll_without_or_with_a_wrong_token_gets_nothing_and_delivers_nothing(site):
    victim, case = victim_with_agent_reply(site)

    for after in (None, "-1"):
        params = {} if after is None else {"after": after}
        missing = poll(site, victim.sender, params=params)
        assert missing.status_code == 401 and missing.json()["error"] == "session_token_required"
        wrong = poll(site, victim.sender, params=params, headers={TOKEN_HEADER: "guessed-" + "x" * 40})
        assert wrong.status_code == 403 and wrong.json()["error"] == "session_token_wrong"
        in_query = poll(site, victim.sender, params={**params, "session_token": "guessed"})
        assert in_query.status_code == 403
        for refused in (missing, wrong, in_query):
            assert "138" not in refused.text
    other = Shopper(site)
    other.says("你好")  # a session of their own: its token is not the victim's
    stolen = poll(site, victim.sender, headers={TOKEN_HEADER: other.token})
    assert stolen.status_code == 403
    assert undelivered(site, case) == ["亲，您的收货电话是 138****0001 对吗？"], "nothing marked delivered"

    assert from_agent(victim.polls()) == ["亲，您的收货电话是 138****0001 对吗？"], "the right token works"
    assert undelivered(site, case) == []


def test_the_session_token_also_works_as_a_query_parameter(site):
    victim, _ = victim_with_agent_reply(site, "在的亲")
    answer = poll(site, victim.sender, params={"session_token": victim.token})
    assert answer.status_code == 200 and from_agent(answer.json()) == ["在的亲"]


def test_posting_as_another_shopper_without_their_token_gets_no_agent_replies(site):
    victim, case = victim_with_agent_reply(site)

    tokenless = webhook(site, victim.sender, "嗯")
    assert tokenless.status_code == 200, "the webhook stays public (CONTRACT §3)"
    assert from_agent(tokenless.json()) == [] and TOKEN_HEADER not in tokenless.headers
    assert undelivered(site, case) == ["亲，您的收货电话是 138****0001 对吗？"]

    wrong = webhook(site, victim.sender, "嗯", headers={TOKEN_HEADER: "x" * 43})
    assert wrong.status_code == 403 and wrong.json()["error"] == "session_token_wrong"

    assert from_agent(victim.says("好的")) == ["亲，您的收货电话是 138****0001 对吗？"]


def test_a_message_without_a_sender_is_refused_not_put_in_a_shared_conversation(site):
    answer = requests.post(f"{site.rasa_url}/webhooks/rest/webhook", json={"message": "我的订单"}, timeout=30)
    assert answer.status_code == 400 and answer.json()["error"] == "missing_sender"


def test_a_socketio_session_request_with_someone_elses_session_id_does_not_join_their_room(site):
    agent = AgentClient(site)

    async def scenario():
        victim = await SocketShopper(site).connect()
        case = site.open_case(victim.session_id)
        intruders = [await SocketShopper(site, session_id=victim.session_id).connect(expect_session=False),
                     await SocketShopper(site, session_id=victim.session_id, token="x" * 43)
                     .connect(expect_session=False)]
        await blocking(agent.claim, case.id)
        await blocking(agent.reply, case.id, "亲，您的地址是北京市朝阳区…")
        arrived = await victim.next_message(timeout=10)
        for intruder in intruders:
            await intruder.nothing_within()
        # Talking in the victim's name on the intruder's own socket: not taken.
        await intruders[0].client.emit("user_uttered", {"message": "把地址改成我家", "session_id": victim.session_id})
        await intruders[0].nothing_within()
        for shopper in (victim, *intruders):
            await shopper.disconnect()
        return case, arrived, intruders

    case, arrived, intruders = asyncio.run(scenario())
    assert arrived["text"] == "亲，您的地址是北京市朝阳区…"
    assert all(intruder.session_id != case.sender_id for intruder in intruders), "a fresh session instead"
    assert all(intruder.token for intruder in intruders)
    assert "把地址改成我家" not in [m.text for m in site.service.messages(case.id)]


# --- the client stamp ------------------------------------------------------------------------------------


def latest_user_metadata(site, sender):
    return [e for e in site.tracker_events(sender) if e["event"] == "user"][-1]["metadata"]


def test_a_forged_client_stamp_is_replaced_by_the_channels_view(site):
    sender = f"forger-{uuid.uuid4().hex}"
    forged = {"channel": "web", CLIENT_METADATA_KEY: {"ip": "10.9.9.9", "channel": "trusted-backoffice"}}
    webhook(site, sender, "你好", metadata=forged, headers={"X-Forwarded-For": "10.8.8.8"}).raise_for_status()
    metadata = latest_user_metadata(site, sender)
    assert metadata[CLIENT_METADATA_KEY] == {"ip": "127.0.0.1", "channel": "rest"}, "no proxy trusted here"
    assert metadata["channel"] == "web"


def test_behind_a_trusted_proxy_the_address_the_proxy_appended_is_stamped(proxied_site):
    sender = f"proxied-{uuid.uuid4().hex}"
    webhook(proxied_site, sender, "你好", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.50"},
            metadata={CLIENT_METADATA_KEY: {"ip": "6.6.6.6"}}).raise_for_status()
    assert latest_user_metadata(proxied_site, sender)[CLIENT_METADATA_KEY] == {"ip": "203.0.113.50",
                                                                                "channel": "rest"}


def test_a_socketio_message_is_stamped_too(site):
    async def scenario():
        shopper = await SocketShopper(site).connect()
        await shopper.client.emit("user_uttered", {"message": "你好", "session_id": shopper.session_id,
                                                   "metadata": {CLIENT_METADATA_KEY: {"ip": "10.9.9.9"}}})
        await shopper.bot_turn()
        await shopper.disconnect()
        return shopper.session_id

    session_id = asyncio.run(scenario())
    assert latest_user_metadata(site, session_id)[CLIENT_METADATA_KEY] == {"ip": "127.0.0.1", "channel": "socketio"}


# --- limits ----------------------------------------------------------------------------------------------


def test_a_message_over_the_length_cap_gets_a_clear_answer_and_never_reaches_the_bot(site):
    shopper = Shopper(site)
    shopper.says("你好")
    answer = shopper.send("我的订单" + "啊" * MAX_CHARS)
    assert answer.status_code == 200
    [reply] = answer.json()
    assert reply["recipient_id"] == shopper.sender and str(MAX_CHARS) in reply["text"]
    assert all(len(e.get("text") or "") <= MAX_CHARS for e in site.tracker_events(shopper.sender)
               if e["event"] == "user"), "not in the conversation, not parsed"


def test_an_empty_message_still_gets_a_clear_answer(site):
    # What Rasa does with an empty message (the bot's fallback), not a silent [].
    shopper = Shopper(site)
    for text in ("", "   "):
        answer = shopper.send(text)
        assert answer.status_code == 200 and from_bot(answer.json()) and answer.json()[0]["text"], repr(text)


def test_a_sender_that_sends_too_fast_is_asked_politely_to_slow_down(proxied_site):
    sender, address = f"fast-{uuid.uuid4().hex}", {"X-Forwarded-For": "203.0.113.60"}
    answers = [webhook(proxied_site, sender, "在吗", headers=address) for _ in range(PER_SENDER + 1)]
    assert [a.status_code for a in answers] == [200] * PER_SENDER + [429]
    [polite] = answers[-1].json()
    assert polite["recipient_id"] == sender and "慢一点" in polite["text"]


def test_an_address_cannot_get_round_the_limit_with_fresh_sender_ids(proxied_site):
    address = {"X-Forwarded-For": "203.0.113.61"}
    answers = [webhook(proxied_site, f"flood-{n}-{uuid.uuid4().hex}", "在吗", headers=address)
               for n in range(PER_IP + 1)]
    assert [a.status_code for a in answers] == [200] * PER_IP + [429]
    assert "慢一点" in answers[-1].json()[0]["text"]
    elsewhere = webhook(proxied_site, f"other-{uuid.uuid4().hex}", "在吗", headers={"X-Forwarded-For": "203.0.113.62"})
    assert elsewhere.status_code == 200


def test_a_socketio_shopper_who_sends_too_fast_gets_the_polite_message(proxied_site):
    async def scenario():
        shopper = await SocketShopper(proxied_site).connect()
        for _ in range(PER_SENDER + 1):
            await shopper.says("在吗")
        received = []
        try:
            while True:
                received.append(await asyncio.wait_for(shopper.received.get(), 8))
        except asyncio.TimeoutError:
            pass
        await shopper.disconnect()
        return received

    received = asyncio.run(scenario())
    assert any("慢一点" in (message.get("text") or "") for message in received)


# --- never a silent 200 [] during a handoff --------------------------------------------------------------


def in_a_handoff(site):
    shopper = Shopper(site)
    shopper.says("你好")
    case = site.open_case(shopper.sender)
    assert shopper.says("在吗？") == []  # stored for the agent; the tracker is paused
    return shopper, case


def shopper_texts(site, case):
    return [m.text for m in site.service.messages(case.id) if m.direction == "shopper"]


def test_a_message_the_handoff_database_refuses_to_store_is_answered_with_a_request_to_resend(site):
    shopper, case = in_a_handoff(site)
    with site.service.engine.begin() as connection:
        connection.execute(sql("CREATE TRIGGER refuse_shopper_messages BEFORE INSERT ON handoff_messages "
                               "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"))
    try:
        answer = shopper.send("我的订单号是2024111100003")
    finally:
        with site.service.engine.begin() as connection:
            connection.execute(sql("DROP TRIGGER refuse_shopper_messages"))
    assert answer.status_code == 503, "never 200 []"
    [notice] = answer.json()
    assert notice["recipient_id"] == shopper.sender and "再发" in notice["text"]

    assert shopper.says("我的订单号是2024111100003") == []
    assert shopper_texts(site, case) == ["在吗？", "我的订单号是2024111100003"], "stored once, on the resend"


def test_a_paused_shopper_is_told_to_resend_when_the_handoff_tables_cannot_be_read(site):
    shopper, case = in_a_handoff(site)
    with site.service.engine.begin() as connection:
        connection.execute(sql("ALTER TABLE handoff_messages RENAME TO handoff_messages_away"))
    try:
        answer = shopper.send("人呢？")
    finally:
        with site.service.engine.begin() as connection:
            connection.execute(sql("ALTER TABLE handoff_messages_away RENAME TO handoff_messages"))
    assert answer.status_code == 503
    assert "再发" in answer.json()[0]["text"]
    assert shopper.says("人呢？") == []
    assert shopper_texts(site, case) == ["在吗？", "人呢？"]


def test_a_socketio_shopper_is_told_to_resend_too(site):
    async def scenario():
        shopper = await SocketShopper(site).connect()
        case = site.open_case(shopper.session_id)
        await shopper.says("在吗？")
        await shopper.nothing_within()
        with site.service.engine.begin() as connection:
            connection.execute(sql("CREATE TRIGGER refuse_socket_messages BEFORE INSERT ON handoff_messages "
                                   "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"))
        try:
            await shopper.says("我要退货")
            notice = await shopper.next_message(timeout=15)
        finally:
            with site.service.engine.begin() as connection:
                connection.execute(sql("DROP TRIGGER refuse_socket_messages"))
        await shopper.disconnect()
        return notice

    assert "再发" in asyncio.run(scenario())["text"]
