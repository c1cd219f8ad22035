"""Chat with a running assistant over the REST channel, from a terminal.
``python -m kefu.chat [--url http://localhost:5005] [--sender me] [--customer C0001]``, or ``make shell``.
With ``--customer`` the shell is a web site that has logged that shopper in: it signs their
identity_token with the same key as the action server (IDENTITY_SECRET, or the demo's var/identity_secret)."""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import Dict, List, Optional

import requests

from kefu.security.identity import identity_metadata, identity_secret
from kefu.settings import Settings


SESSION_TOKEN_HEADER = "X-Session-Token"


def post_message(url: str, sender: str, text: str, timeout: float = 30, metadata: Dict | None = None,
                 headers: Dict | None = None) -> requests.Response:
    return requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "metadata": {"channel": "web", **(metadata or {})}},
        headers=headers,
        timeout=timeout,
    )


def send(url: str, sender: str, text: str, timeout: float = 30, metadata: Dict | None = None,
         headers: Dict | None = None) -> List[Dict]:
    response = post_message(url, sender, text, timeout, metadata, headers)
    response.raise_for_status()
    return response.json()


class ShellConversation:
    """One shopper's conversation over the REST channel, as a web page keeps it: the session token the
    first answer gives goes with every later message (without it the agent's replies are withheld), and
    the channel's clear answers to a refused message (too long, too fast, please resend) are shown, not
    taken for a failure."""

    def __init__(self, url: str, sender: str) -> None:
        self.url = url
        self.sender = sender
        self.session_token: Optional[str] = None

    def say(self, text: str, metadata: Dict | None = None) -> List[Dict]:
        headers = {SESSION_TOKEN_HEADER: self.session_token} if self.session_token else None
        response = post_message(self.url, self.sender, text, metadata=metadata, headers=headers)
        self.session_token = response.headers.get(SESSION_TOKEN_HEADER) or self.session_token
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        if isinstance(body, list):
            return body  # 200, and the channel's own answers with 429 / 503 come in the same shape
        response.raise_for_status()
        raise requests.HTTPError(f"unexpected answer {response.status_code}: {response.text[:200]}")


def logged_in(customer_id: str, settings: Settings) -> Dict[str, str]:
    """The metadata of a shopper the shell has logged in: their id and a fresh signed token."""
    return identity_metadata(customer_id, identity_secret(settings))


def render(reply: Dict) -> str:
    lines = []
    if reply.get("text"):
        lines.append(reply["text"])
    for number, button in enumerate(reply.get("buttons") or [], 1):
        lines.append(f"   [{number}] {button.get('title')}")
    if reply.get("image"):
        lines.append(f"   (图片) {reply['image']}")
    return "\n".join(lines)


def main(argv: List[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://localhost:{settings.rasa_port}")
    parser.add_argument("--sender", default=f"shell-{uuid.uuid4().hex[:8]}")
    parser.add_argument("--customer", help="chat as this logged-in customer (e.g. C0001), else anonymously")
    args = parser.parse_args(argv)

    conversation = ShellConversation(args.url, args.sender)
    print("输入消息后回车发送；输入 /quit 退出。")
    while True:
        try:
            text = input("你: ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text in {"/quit", "/exit"}:
            return 0
        if not text:
            continue
        try:
            # Signed per message: a long chat never outlives its token.
            metadata = logged_in(args.customer, settings) if args.customer else None
            replies = conversation.say(text, metadata=metadata)
        except requests.RequestException as error:
            print(f"!! 无法连接到 {args.url}（先运行 `make run`）：{error}", file=sys.stderr)
            continue
        if not replies:
            print("小蜜蜂: （没有回复）")
        for reply in replies:
            print(f"小蜜蜂: {render(reply)}")


if __name__ == "__main__":
    sys.exit(main())
