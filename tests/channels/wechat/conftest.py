"""One seeded demo shop (with the handoff and WeChat tables) and one fake WeChat for the WeChat tests;
each test gets its own connectors and server on free ports."""

from __future__ import annotations

import pytest

from kefu.channels.wechat.kf import WeChatKfInput
from kefu.channels.wechat.official import WeChatOfficialInput
from kefu.channels.wechat.store import WeChatStore
from kefu.handoff.service import handoff_service
from tests.channels.wechat.fake_wechat import (
    CORP_ID, KF_AES_KEY, KF_SECRET, KF_TOKEN, MP_AES_KEY, MP_APP_ID, MP_SECRET, MP_TOKEN, FakeWeChat,
)
from tests.channels.wechat.support import ConnectorServer
from tests.demo_shop.support import seeded_sqlite
from tests.logged_in import TEST_IDENTITY_SECRET


@pytest.fixture(scope="package")
def wechat_env(tmp_path_factory):
    """The process environment the connectors read: the seeded shop's database, the fake's URLs."""
    shop = seeded_sqlite(tmp_path_factory.mktemp("wechat") / "shop.db")
    with FakeWeChat() as fake, pytest.MonkeyPatch.context() as env:
        env.setenv("DATABASE_URL", str(shop.engine.url))
        env.setenv("SHOP_BACKEND", "sql")
        env.setenv("IDENTITY_SECRET", TEST_IDENTITY_SECRET)
        env.setenv("WECHAT_API_BASE", fake.base_url)
        env.setenv("WECOM_API_BASE", fake.base_url)
        env.setenv("MESSAGE_MAX_CHARS", "500")
        yield fake
    shop.engine.dispose()


@pytest.fixture
def fake(wechat_env):
    """The fake WeChat, its records emptied for this test (tokens it issued stay valid)."""
    state = wechat_env.state
    with state.lock:
        for record in (state.custom_sent, state.kf_sent, state.transfers, state.sync_calls):
            record.clear()
        state.token_fetches.clear()
        state.page_size = 1000
        state.failing_syncs = 0
    return wechat_env


@pytest.fixture
def store(wechat_env) -> WeChatStore:
    return WeChatStore(handoff_service().engine)


def official_channel(store: WeChatStore, safe: bool = True) -> WeChatOfficialInput:
    return WeChatOfficialInput(MP_APP_ID, MP_SECRET, MP_TOKEN, MP_AES_KEY if safe else "", store=store)


def kf_channel(store: WeChatStore, handoff: str = "workspace", servicer: str = "") -> WeChatKfInput:
    return WeChatKfInput(CORP_ID, KF_SECRET, KF_TOKEN, KF_AES_KEY, handoff=handoff, servicer=servicer, store=store)


@pytest.fixture
def official(store):
    channel = official_channel(store)
    with ConnectorServer([channel]) as server:
        yield server, channel


@pytest.fixture
def kf(store):
    channel = kf_channel(store)
    with ConnectorServer([channel]) as server:
        yield server, channel
