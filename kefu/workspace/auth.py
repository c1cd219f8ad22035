"""Who is at the workspace: signed, expiring session tokens (WORKSPACE_SECRET), the session cookie, what
is kept of a revoked token, and the throttle on wrong passwords (docs/workspace.md: sessions)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from typing import Callable, Deque, Dict, NamedTuple, Optional

from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.settings import Settings

SESSION_COOKIE = "kefu_workspace"
SESSION_HOURS = 12  # one shift
# v2 added the nonce: two logins in one second get two tokens, so logging one out leaves the other.
TOKEN_VERSION = "v2"

# Wrong passwords for one username before it must wait.
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW_SECONDS = 300


class SessionToken(NamedTuple):
    username: str
    expires: int  # seconds since the epoch


class SessionSigner:
    """Signed, expiring session tokens: ``v2.<username, base64url>.<expiry>.<nonce>.<HMAC-SHA256>``."""

    def __init__(self, secret: bytes, lifetime_seconds: float = SESSION_HOURS * 3600,
                 clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("a session secret has at least 16 bytes")
        self._secret = secret
        self.lifetime_seconds = lifetime_seconds
        self._clock = clock

    def issue(self, username: str) -> str:
        name = base64.urlsafe_b64encode(username.encode("utf-8")).decode("ascii").rstrip("=")
        nonce = secrets.token_urlsafe(12)
        body = f"{TOKEN_VERSION}.{name}.{int(self._clock() + self.lifetime_seconds)}.{nonce}"
        return f"{body}.{self._sign(body)}"

    def verify(self, token: Optional[str]) -> Optional[str]:
        """The username the token was issued to; None if forged, altered, expired or malformed."""
        read = self.read(token)
        return read.username if read is not None else None

    def read(self, token: Optional[str]) -> Optional[SessionToken]:
        """Whom the token was issued to and until when; None if forged, altered, expired or malformed."""
        try:
            version, name, expiry, nonce, signature = (token or "").split(".")
        except ValueError:
            return None
        body = f"{version}.{name}.{expiry}.{nonce}"
        if version != TOKEN_VERSION or not hmac.compare_digest(self._sign(body), signature):
            return None
        try:
            if int(expiry) < self._clock():
                return None
            username = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode("utf-8")
            return SessionToken(username, int(expiry))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode("ascii", "replace"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def workspace_secret(settings: Optional[Settings] = None) -> bytes:
    """WORKSPACE_SECRET (``Settings.workspace_secret``), or a random key for this process only."""
    configured = (settings or Settings.from_env()).workspace_secret
    if configured:
        return configured.encode("utf-8")
    return secrets.token_bytes(32)


def token_hash(token: str) -> str:
    """What ``revoked_sessions`` keeps of a token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class LoginThrottle:
    """At most LOGIN_ATTEMPTS wrong passwords per username in LOGIN_WINDOW_SECONDS (per process)."""

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window_seconds: float = LOGIN_WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.window_seconds, self._clock = attempts, window_seconds, clock
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)

    def blocked(self, username: str) -> bool:
        failures = self._failures.get(username)
        if not failures:
            return False
        while failures and failures[0] < self._clock() - self.window_seconds:
            failures.popleft()
        return len(failures) >= self.attempts

    def failed(self, username: str) -> None:
        self._failures[username].append(self._clock())

    def succeeded(self, username: str) -> None:
        self._failures.pop(username, None)




def session_token(request: Request) -> Optional[str]:
    """The token the request carries: ``Authorization: Bearer <token>``, else the session cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def set_session_cookie(request: Request, answer: HTTPResponse, token: str, max_age: int) -> None:
    answer.cookies[SESSION_COOKIE] = token
    cookie = answer.cookies[SESSION_COOKIE]
    # Only the workspace's own pages and API get it.
    cookie["path"] = request.path.split("/api/", 1)[0] + "/"
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max_age
    if request.scheme == "https":
        cookie["secure"] = True
