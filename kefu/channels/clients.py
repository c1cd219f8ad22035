"""Who is at the other end of a channel's connection, and what the channel tells them instead of the
bot's answer (docs/security.md: channel limits)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from kefu.replies import phrase_text


def client_address(peer: Optional[str], forwarded_for: Optional[str], trust_forwarded: bool) -> str:
    """The client's IP address as this server can vouch for it.

    ``peer`` is the address of the connection. Behind our own reverse proxy
    (``trust_forwarded``: TRUST_FORWARDED_HEADERS) that is the proxy, and the
    client is the RIGHTMOST entry of X-Forwarded-For: the one our proxy
    appended. Entries to its left were sent by the client and can be
    anything, so they never count. Without a trusted proxy the header is
    ignored altogether: anyone can send one.
    """
    if trust_forwarded and forwarded_for:
        rightmost = forwarded_for.split(",")[-1].strip()
        if rightmost:
            return rightmost
    return (peer or "").strip()


def notice(sender_id: str, phrase: str, **values: Any) -> Dict[str, Any]:
    """A message of the channel itself to the shopper, in the shape of the bot's (Rasa's REST payload),
    worded in the merchant's persona."""
    return {"recipient_id": sender_id, "text": phrase_text(phrase, **values)}
