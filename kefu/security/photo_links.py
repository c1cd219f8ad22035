"""Links that let an agent open a photo a shopper sent (docs/channels/webchat.md: photos): signed for one
photo, valid for a working week, ``<expires>.<mac>`` over the photo id with a key derived from
``IDENTITY_SECRET``. The shopper reads their photo with their session token; an agent reads it from the
case or a problem report in the workspace, whose session cookie never reaches the web chat's routes, so
the workspace shows a link signed for that one photo: only someone shown the case has it.

Here, below the channels and the workspace, because both make them (the web chat for the case's line,
the workspace for a problem report's photos) and the web chat's photo route checks them.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Optional

AGENT_LINK_SECONDS = 7 * 24 * 3600
# Where the Rasa server serves a photo (the web chat's route, kefu/channels/webchat.py), on every replica.
PHOTO_ROUTE = "/webhooks/webchat/photos/"


class PhotoLinks:
    """Signed, expiring read links for agents: ``<expires>.<mac>`` over the photo id."""

    def __init__(self, secret: str, clock=time.time) -> None:
        if not secret:
            raise ValueError("photo links need a secret")
        # A key of its own, derived from the identity secret: an identity token is never a photo link.
        self._key = hmac.new(secret.encode("utf-8"), b"kefu-webchat-photo-links", hashlib.sha256).digest()
        self._clock = clock

    def sign(self, photo_id: str, seconds: int = AGENT_LINK_SECONDS) -> str:
        expires = int(self._clock() + seconds)
        return f"{expires}.{self._mac(photo_id, expires)}"

    def link(self, photo_id: str) -> str:
        """The agent's link to the photo, from the server's root (the case line puts the server's address
        before it; the workspace, on the same server, uses it as it is)."""
        return f"{PHOTO_ROUTE}{photo_id}?sig={self.sign(photo_id)}"

    def valid(self, photo_id: str, signature: Optional[str]) -> bool:
        if not signature or "." not in signature:
            return False
        expires_text, mac = signature.split(".", 1)
        if not expires_text.isdigit():
            return False
        expected = self._mac(photo_id, int(expires_text))
        return hmac.compare_digest(mac.encode("utf-8"), expected.encode("utf-8")) and int(expires_text) > self._clock()

    def _mac(self, photo_id: str, expires: int) -> str:
        return hmac.new(self._key, f"{photo_id}.{expires}".encode("utf-8"), hashlib.sha256).hexdigest()
