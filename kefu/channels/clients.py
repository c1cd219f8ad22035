"""What a channel tells the shopper instead of the bot's answer (docs/security.md: channel limits); who
is at the other end of the connection is kefu.security.client's to say."""

from __future__ import annotations

from typing import Any, Dict

from kefu.replies import phrase_text


def notice(sender_id: str, phrase: str, **values: Any) -> Dict[str, Any]:
    """A message of the channel itself to the shopper, in the shape of the bot's (Rasa's REST payload),
    worded in the merchant's persona."""
    return {"recipient_id": sender_id, "text": phrase_text(phrase, **values)}
