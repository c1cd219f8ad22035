"""Chat with a running assistant over the REST channel, from a terminal.
``python -m kefu.chat [--url http://localhost:5005] [--sender me]``, or ``make shell``."""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import Dict, List

import requests

from kefu.settings import Settings


def send(url: str, sender: str, text: str, timeout: float = 30, metadata: Dict | None = None) -> List[Dict]:
    response = requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "metadata": {"channel": "web", **(metadata or {})}},
        timeout=timeout,
    )
    response.raise_for_status()
    return response.json()


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
    args = parser.parse_args(argv)

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
            replies = send(args.url, args.sender, text)
        except requests.RequestException as error:
            print(f"!! 无法连接到 {args.url}（先运行 `make run`）：{error}", file=sys.stderr)
            continue
        if not replies:
            print("小蜜蜂: （没有回复）")
        for reply in replies:
            print(f"小蜜蜂: {render(reply)}")


if __name__ == "__main__":
    sys.exit(main())
