"""What the connectors remember in the database: one access token for all replicas, refreshed before it
expires; callbacks seen; cursors; the 48-hour / 5-message window."""

import threading
import time

from kefu.channels.wechat.api import WeChatApi
from kefu.channels.wechat.store import (
    KF_MESSAGES_PER_WINDOW, KF_WINDOW_SECONDS, TOKEN_REFRESH_MARGIN_SECONDS, WINDOW_CLOSED, WINDOW_EXHAUSTED,
    WINDOW_OPEN, WeChatStore,
)
from tests.channels.wechat.fake_wechat import MP_APP_ID, MP_SECRET


def test_replicas_share_one_token_fetched_once(fake, store, tmp_path):
    # Four "replicas": separate stores (engines) on the same database, asking at the same moment.
    replicas = replica_apis(fake, store.engine)
    store.invalidate_token("mp:" + MP_APP_ID, replicas[0].access_token())  # start from an expired token
    fake.state.token_fetches.clear()
    tokens = tokens_asked_at_once(replicas)
    assert len(set(tokens)) == 1 and len(tokens) == 4
    assert fake.state.token_fetches == {MP_APP_ID: 1}


def replica_apis(fake, engine, count=4):
    return [WeChatApi("mp", fake.base_url, MP_APP_ID, MP_SECRET, WeChatStore(engine)) for _ in range(count)]


def tokens_asked_at_once(replicas):
    """The tokens the replicas got, each asking at the same moment from its own thread."""
    tokens, barrier = [], threading.Barrier(len(replicas))

    def ask(api):
        barrier.wait()
        tokens.append(api.access_token())

    threads = [threading.Thread(target=ask, args=(api,)) for api in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return tokens


def test_a_token_is_renewed_before_it_expires(fake, store):
    now = [time.time()]
    clocked = WeChatStore(store.engine, clock=lambda: now[0])
    api = WeChatApi("mp", fake.base_url, MP_APP_ID, MP_SECRET, clocked)
    clocked.invalidate_token(api.account, api.access_token())
    first = api.access_token()
    now[0] += 7200 - TOKEN_REFRESH_MARGIN_SECONDS - 10  # not yet within the margin
    assert api.access_token() == first
    now[0] += 20  # within the margin: renewed although WeChat would still take it
    assert api.access_token() != first


def test_a_token_wechat_calls_invalid_is_replaced_and_the_call_repeated(fake, store):
    api = WeChatApi("mp", fake.base_url, MP_APP_ID, MP_SECRET, store)
    api.access_token()
    fake.expire_all_tokens()
    fetches = fake.state.token_fetches.get(MP_APP_ID, 0)
    fake.state.mp_last_message["openid-refresh"] = time.time()  # the user wrote: WeChat allows an answer
    api.send_custom_text("openid-refresh", "你好")
    assert fake.state.custom_sent[-1]["touser"] == "openid-refresh"
    assert fake.state.token_fetches[MP_APP_ID] == fetches + 1


def test_a_callback_is_taken_once(store):
    assert store.first_time("mp:test:1") is True
    assert store.first_time("mp:test:1") is False
    assert WeChatStore(store.engine).first_time("mp:test:1") is False  # another replica knows it too


def test_the_window_allows_five_messages_within_48_hours(store):
    now = [1_000_000.0]
    clocked = WeChatStore(store.engine, clock=lambda: now[0])
    clocked.ensure_user("wxkf-window", "kf", "wk1", "user1")
    assert clocked.window("wxkf-window").state == WINDOW_CLOSED  # never wrote: nothing may be sent
    clocked.user_wrote("wxkf-window", now[0])
    assert clocked.take_sends("wxkf-window", 3).remaining == 3
    assert clocked.take_sends("wxkf-window", 3).remaining == KF_MESSAGES_PER_WINDOW - 3
    assert clocked.window("wxkf-window").state == WINDOW_EXHAUSTED
    assert clocked.user("wxkf-window").window_state == WINDOW_EXHAUSTED  # stored, for the agent to see
    clocked.user_wrote("wxkf-window", now[0] + 60)  # the user writes again: a new window
    assert clocked.window("wxkf-window").state == WINDOW_OPEN
    now[0] += 60 + KF_WINDOW_SECONDS
    assert clocked.window("wxkf-window").state == WINDOW_CLOSED
    assert clocked.take_sends("wxkf-window", 1).remaining == 0


def test_callbacks_seen_are_forgotten_after_a_day(store):
    from kefu.channels.wechat.store import SEEN_MEMORY_SECONDS

    now = [2_000_000.0]
    clocked = WeChatStore(store.engine, clock=lambda: now[0])
    assert clocked.first_time("mp:prune:old")
    now[0] += SEEN_MEMORY_SECONDS + 1
    assert clocked.prune_seen() >= 1
    assert clocked.first_time("mp:prune:old")  # forgotten: a day later it would be taken again


def test_on_postgresql_replicas_share_one_token_and_the_window_holds(fake):
    """The lease and the window's row lock as production runs them (skips without a local PostgreSQL)."""
    import pytest

    from tests.demo_shop.support import find_postgres, throwaway_postgres_schema

    url, reason = find_postgres()
    if url is None:
        pytest.skip(reason)
    with throwaway_postgres_schema(url) as engine:
        replicas = replica_apis(fake, engine)
        before = fake.state.token_fetches.get(MP_APP_ID, 0)
        tokens = tokens_asked_at_once(replicas)
        assert len(tokens) == 4 and len(set(tokens)) == 1
        assert fake.state.token_fetches[MP_APP_ID] == before + 1

        window_is_never_overdrawn(WeChatStore(engine), "wxkf-pg")


def test_replies_reserving_at_once_never_overdraw_the_window(store):
    window_is_never_overdrawn(store, f"wxkf-race-{time.time()}")


def window_is_never_overdrawn(store, sender_id):
    store.ensure_user(sender_id, "kf", "wk1", sender_id)
    store.user_wrote(sender_id, time.time())
    granted, barrier = [], threading.Barrier(4)

    def reserve():
        barrier.wait()
        granted.append(store.take_sends(sender_id, 2).remaining)

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(granted) == 4 and sum(granted) == KF_MESSAGES_PER_WINDOW  # 8 asked at once, 5 granted
    assert store.window(sender_id).state == WINDOW_EXHAUSTED
