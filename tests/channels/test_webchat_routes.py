"""Where the web chat answers (kefu/channels/webchat.py) and how `make run` tells about it; the routes'
behaviour against a real Rasa server is in test_webchat.py."""

from dataclasses import replace

from rasa.core.channels.channel import register
from sanic import Sanic

from kefu.channels.socketio import HandoffSocketIOInput
from kefu.channels.webchat import SOCKETIO_PATH, WebChatInput
from kefu.launcher import Assistant, _banner
from kefu.settings import Settings


def test_the_web_chat_answers_under_webhooks_webchat_beside_the_socketio_channel():
    app = Sanic("webchat_routes")
    channel = WebChatInput.from_credentials(None)
    register([HandoffSocketIOInput.from_credentials({"session_persistence": True}), channel], app, route="/webhooks/")
    app.router.finalize()
    paths = {(route.path, method) for route in app.router.routes for method in route.methods}
    assert {
        ("webhooks/webchat/<name:str>", "GET"),
        ("webhooks/webchat/history", "GET"),
        ("webhooks/webchat/photos", "POST"),
        ("webhooks/webchat/photos/<photo_id:str>", "GET"),
        ("webhooks/webchat/ratings", "POST"),
        ("webhooks/webchat/demo", "GET"),
        ("webhooks/webchat/demo/login", "POST"),
    } <= paths
    assert (SOCKETIO_PATH.strip("/"), "GET") in paths and ("socket.io", "GET") in paths, "two socket.io servers"
    assert channel.name() == "webchat" and channel.session_persistence


def test_make_run_prints_the_widget_and_in_demo_mode_the_demo_shop(tmp_path):
    settings = replace(Settings.from_env(), rasa_port=5005)
    plain = _banner(Assistant(replace(settings, demo_mode=False), tmp_path / "model.tar.gz"), None)
    assert '<script src="http://localhost:5005/webhooks/webchat/widget.js">' in plain
    assert "/webhooks/webchat/demo/" not in plain
    demo = _banner(Assistant(replace(settings, demo_mode=True), tmp_path / "model.tar.gz"), None)
    assert "http://localhost:5005/webhooks/webchat/demo/" in demo
