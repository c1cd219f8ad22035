"""One real assistant with handoff for every channel test that needs one (REST, socket.io, the web
chat, the platform bridge, WeChat): a Rasa server loads its model in about a minute on CI's two
cores, so the channels share it, each configured as a merchant would (the WeChat channels against the
fake WeChat API server)."""

import pytest

from tests.channels.platform_support import SECRETS
from tests.channels.support import SOCKET_POLL_SECONDS, handoff_site
from tests.channels.wechat.fake_wechat import (
    CORP_ID, KF_AES_KEY, KF_SECRET, KF_TOKEN, MP_AES_KEY, MP_APP_ID, MP_SECRET, MP_TOKEN, FakeWeChat,
)

RASA_PORT, ACTION_PORT = 5140, 5190


@pytest.fixture(scope="package")
def fake_wechat():
    with FakeWeChat() as fake:
        yield fake


@pytest.fixture(scope="package")
def site(trained_model, tmp_path_factory, fake_wechat):
    environment = {
        "HANDOFF_SOCKET_POLL_SECONDS": str(SOCKET_POLL_SECONDS),
        "PLATFORM_BRIDGE_SECRET_TAOBAO": SECRETS["taobao"], "PLATFORM_BRIDGE_SECRET_PDD": SECRETS["pdd"],
        "PLATFORM_BRIDGE_CALLBACK_HOSTS": "127.0.0.1",
        "WECHAT_API_BASE": fake_wechat.base_url, "WECHAT_APP_ID": MP_APP_ID, "WECHAT_APP_SECRET": MP_SECRET,
        "WECHAT_TOKEN": MP_TOKEN, "WECHAT_ENCODING_AES_KEY": MP_AES_KEY,
        "WECOM_API_BASE": fake_wechat.base_url, "WECOM_CORP_ID": CORP_ID, "WECOM_KF_SECRET": KF_SECRET,
        "WECOM_KF_TOKEN": KF_TOKEN, "WECOM_KF_ENCODING_AES_KEY": KF_AES_KEY,
    }
    with handoff_site(tmp_path_factory.mktemp("channels"), trained_model, RASA_PORT, ACTION_PORT,
                      **environment) as running:
        yield running
