"""The WeChat connectors served by a real Sanic server on a free port, in a thread of their own, with a
stand-in for Rasa's message handler (the bot): the connectors' own behaviour needs no trained model.

The stand-in answers as Rasa's output channel would be called: a text, buttons, a long reply, and for
"转人工" it opens a handoff case in the real handoff tables, as ``action_handoff_to_human`` does."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from kefu.handoff.service import handoff_service
from kefu.handoff.triggers import decide_handoff


class StandInBot:
    """Records every message it is handed and answers a few known texts."""

    def __init__(self) -> None:
        self.received: List[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        out, text = message.output_channel, message.text or ""
        if text == "查订单":
            await out.send_text_with_buttons(message.sender_id, "亲，要查哪一个呢？", [
                {"title": "查看物流", "payload": "/track_order"},
                {"title": "申请退货", "payload": "/ask_return"},
            ])
        elif text == "长一点":
            await out.send_text_message(message.sender_id, "很长的回复。" * 400)  # 7200 bytes
        elif text == "好几条":
            for number in range(1, 8):
                await out.send_text_message(message.sender_id, f"第{number}条 " + "内容" * 300)
        elif text == "转人工":
            decision = decide_handoff("request_human", text)
            await asyncio.to_thread(lambda: handoff_service().open_case(message.sender_id, decision,
                                                                         channel=message.input_channel))
            await out.send_text_message(message.sender_id, "好的亲，正在为您转接人工客服～")
        else:
            await out.send_text_message(message.sender_id, f"收到：{text}")

    def texts(self) -> List[str]:
        return [message.text for message in self.received]

    def metadata_of(self, text: str) -> Dict[str, Any]:
        return next(message.metadata for message in self.received if message.text == text)


# Sanic's start-up optimisation (TouchUp) rewrites its request handler in place and fails when a second
# server starts in the same process (KeyError: 'handle_request'), unless in test mode, where it keeps
# the original to rewrite again: the tests start a server per test (and restart them).
Sanic.test_mode = True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ConnectorServer:
    """``channels`` served under /webhooks/<name>/ by a Sanic server on 127.0.0.1 and a free port."""

    def __init__(self, channels: List[Any], bot: Optional[StandInBot] = None) -> None:
        self.channels = channels
        self.bot = bot or StandInBot()
        self.port = free_port()
        self.app = Sanic(f"wechat_test_{uuid.uuid4().hex[:8]}")
        for channel in channels:
            self.app.blueprint(channel.blueprint(self.bot), url_prefix=f"/webhooks/{channel.name()}")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._started = threading.Event()
        self._server: Any = None

    def url(self, channel: Any) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/{channel.name()}/webhook"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await self.app.create_server(host="127.0.0.1", port=self.port,
                                                         return_asyncio_server=True, access_log=False)
            await self._server.startup()
            await self._server.before_start()
            await self._server.after_start()
            self._started.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        """Runs ``coroutine`` on the server's loop (where the channels' background work runs)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def settle(self) -> None:
        """Waits until every channel has finished the work it took after answering WeChat."""
        for channel in self.channels:
            self.run(channel.drain())

    def __enter__(self) -> "ConnectorServer":
        self._thread.start()
        if not self._started.wait(30):
            raise RuntimeError("the connector server did not start")
        return self

    def __exit__(self, *exc: Any) -> None:
        async def stop() -> None:
            await self._server.before_stop()
            self._server.close()
            await self._server.wait_closed()
            await self._server.after_stop()

        self.run(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
