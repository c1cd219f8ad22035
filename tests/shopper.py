"""One shopper talking to a real running assistant over the REST webhook (kefu.chat.send), as the live
suites send them: on the web channel, signed in as ``customer_id`` when one is given (tests/logged_in.py),
anonymous otherwise. Each Shopper is a new conversation (a sender id of its own).

The channel suites' shopper, which keeps a session token and polls for agent messages, is
tests/channels/support.py."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

import requests

from kefu.chat import send
from kefu.replies import identify
from tests.logged_in import logged_in

# The first answer can take long while other live suites share the machine's two cores.
REPLY_SECONDS = 60


class Shopper:
    def __init__(self, assistant, customer_id: Optional[str] = None, *, metadata: Optional[Dict[str, Any]] = None,
                 name: str = "shopper") -> None:
        """``assistant``: a started kefu.launcher.Assistant; ``metadata``: more message metadata (a product
        link's id, a forged identity …) on top of the channel and the signed identity."""
        self.assistant = assistant
        self.sender = f"{name}-{uuid.uuid4().hex[:10]}"
        self.metadata: Dict[str, Any] = {"channel": "web", **(logged_in(customer_id) if customer_id else {}),
                                         **(metadata or {})}
        self.last: List[Dict[str, Any]] = []

    def says(self, text: str) -> List[Optional[str]]:
        """The templates of the replies (None for a reply that is not one of data/responses/)."""
        self.last = send(self.assistant.rasa_url, self.sender, text, timeout=REPLY_SECONDS, metadata=self.metadata)
        return [identify(text) for text in self.texts()]

    def texts(self) -> List[str]:
        """The texts of the last replies."""
        return [reply.get("text") or "" for reply in self.last]

    def text(self) -> str:
        return "\n".join(self.texts())

    def button_payloads(self) -> List[str]:
        return [button["payload"] for reply in self.last for button in reply.get("buttons") or []]

    def tracker(self) -> Dict[str, Any]:
        """The conversation as Rasa keeps it (GET /conversations/<sender>/tracker with the API token)."""
        answer = requests.get(f"{self.assistant.rasa_url}/conversations/{self.sender}/tracker",
                              params=self.assistant.api_params, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def actions_run(self) -> List[str]:
        """Every action run in the conversation so far, in order."""
        return [event.get("name") for event in self.tracker()["events"] if event.get("event") == "action"]
