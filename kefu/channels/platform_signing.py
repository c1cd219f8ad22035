"""How a call between the merchant's platform plug-in and the platform bridge is signed, both ways
(docs/channels/platforms.md: signing). Three headers go with the raw body:

* ``X-Kefu-Timestamp``: Unix seconds, as an integer;
* ``X-Kefu-Nonce``: 16 to 64 characters of ``[A-Za-z0-9_-]``, new for every call;
* ``X-Kefu-Signature``: lowercase hex HMAC-SHA256, keyed with the platform's secret
  (PLATFORM_BRIDGE_SECRET_<NAME>), of the bytes ``timestamp + "\\n" + nonce + "\\n" + body``.

The nonce is inside the signature: a replayed call cannot be given a fresh one. Whether a nonce was
seen before is the nonce store's to say (kefu/channels/platform_store.py); this module is plain
functions, also used to sign the replies POSTed to the plug-in's callback URL.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
import time
from typing import Dict, Mapping, Optional

TIMESTAMP_HEADER = "X-Kefu-Timestamp"
NONCE_HEADER = "X-Kefu-Nonce"
SIGNATURE_HEADER = "X-Kefu-Signature"

NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"[0-9a-f]{64}")


class Verdict(enum.Enum):
    """What the signature headers say about a call: the HTTP status and error code the bridge answers
    with when it is not OK."""

    OK = (200, "ok")
    UNSIGNED = (401, "signature_missing")
    MALFORMED = (401, "signature_malformed")
    STALE = (401, "timestamp_outside_window")
    FORGED = (401, "signature_wrong")
    REPLAYED = (409, "nonce_replayed")

    @property
    def status(self) -> int:
        return self.value[0]

    @property
    def error(self) -> str:
        return self.value[1]


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode("ascii") + b"\n" + nonce.encode("ascii") + b"\n" + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: Optional[int] = None,
                   nonce: Optional[str] = None) -> Dict[str, str]:
    """The three headers of a call carrying ``body``, signed now with a fresh nonce (unless given)."""
    if not secret:
        raise ValueError("a signed call needs a secret")
    stamp = str(int(time.time() if timestamp is None else timestamp))
    nonce = nonce or secrets.token_urlsafe(24)
    return {TIMESTAMP_HEADER: stamp, NONCE_HEADER: nonce, SIGNATURE_HEADER: signature(secret, stamp, nonce, body)}


def check_signature(secret: str, headers: Mapping[str, str], body: bytes, window_seconds: float,
                    now: Optional[float] = None) -> Verdict:
    """Whether ``body`` with ``headers`` was signed with ``secret`` within ``window_seconds`` of ``now``.

    The signature is compared (in constant time) before the clock is looked at: an unsigned caller
    learns nothing about the window. A nonce that passes here still has to be new.
    """
    stamp, nonce, given = (headers.get(name) for name in (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER))
    if not stamp or not nonce or not given:
        return Verdict.UNSIGNED
    stamp, nonce, given = stamp.strip(), nonce.strip(), given.strip().lower()
    if not TIMESTAMP.fullmatch(stamp) or not NONCE.fullmatch(nonce) or not SIGNATURE.fullmatch(given):
        return Verdict.MALFORMED
    if not secret or not hmac.compare_digest(given, signature(secret, stamp, nonce, body)):
        return Verdict.FORGED
    moment = time.time() if now is None else now
    if abs(moment - int(stamp)) > window_seconds:
        return Verdict.STALE
    return Verdict.OK
