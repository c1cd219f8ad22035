"""Who is at the workspace: signed, expiring session tokens (WORKSPACE_SECRET) bound to the password
they were issued under, the session cookie (Secure under TLS), what is kept of a revoked token, the
throttle on wrong passwords and the thread pool that hashes them (docs/workspace.md: sessions)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Deque, List, NamedTuple, Optional

from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.security.client import client_address
from kefu.settings import Settings

SESSION_COOKIE = "kefu_workspace"
SESSION_HOURS = 12  # one shift
# v2 added the nonce: two logins in one second get two tokens, so logging one out leaves the other.
# v3 added the password generation: a new password ends every session issued under the old one.
TOKEN_VERSION = "v3"

# Wrong passwords for one username from one client before it must wait, and
# for any usernames from one client (one address trying many accounts).
LOGIN_ATTEMPTS = 5
LOGIN_ATTEMPTS_PER_CLIENT = 20
LOGIN_WINDOW_SECONDS = 300
# Clients and usernames the throttle remembers at most: a flood of made-up
# names cannot grow it without bound (the least recently seen are forgotten).
LOGIN_THROTTLE_KEYS = 10_000

# scrypt costs ~50 ms of a core each: two at a time, on threads of their own,
# so that a burst of logins never holds up the default pool the shoppers' relay uses.
PASSWORD_HASHING_THREADS = 2


class SessionToken(NamedTuple):
    username: str
    expires: int  # seconds since the epoch
    generation: int  # of the agent's password when it was issued


class SessionSigner:
    """Signed, expiring session tokens:
    ``v3.<username, base64url>.<expiry>.<password generation>.<nonce>.<HMAC-SHA256>``."""

    def __init__(self, secret: bytes, lifetime_seconds: float = SESSION_HOURS * 3600,
                 clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("a session secret has at least 16 bytes")
        self._secret = secret
        self.lifetime_seconds = lifetime_seconds
        self._clock = clock

    def issue(self, username: str, generation: int = 0) -> str:
        name = base64.urlsafe_b64encode(username.encode("utf-8")).decode("ascii").rstrip("=")
        nonce = secrets.token_urlsafe(12)
        body = f"{TOKEN_VERSION}.{name}.{int(self._clock() + self.lifetime_seconds)}.{int(generation)}.{nonce}"
        return f"{body}.{self._sign(body)}"

    def verify(self, token: Optional[str]) -> Optional[str]:
        """The username the token was issued to; None if forged, altered, expired or malformed."""
        read = self.read(token)
        return read.username if read is not None else None

    def read(self, token: Optional[str]) -> Optional[SessionToken]:
        """Whom the token was issued to and until when; None if forged, altered, expired or malformed."""
        try:
            version, name, expiry, generation, nonce, signature = (token or "").split(".")
        except ValueError:
            return None
        body = f"{version}.{name}.{expiry}.{generation}.{nonce}"
        if version != TOKEN_VERSION or not hmac.compare_digest(self._sign(body), signature):
            return None
        try:
            if int(expiry) < self._clock():
                return None
            username = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode("utf-8")
            return SessionToken(username, int(expiry), int(generation))
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
    """At most ``attempts`` wrong passwords per client and username and ``attempts_per_client`` per client
    (any usernames) in ``window_seconds``, counted in this process.

    Atomic: ``begin`` counts the attempt as failed *before* the password is
    checked, so logins racing one another cannot all slip through while the
    hash is being computed; ``succeeded`` takes the count back. Bounded: keys
    whose failures all left the window are pruned, and at most ``max_keys``
    keys are kept (the least recently used go first).
    """

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window_seconds: float = LOGIN_WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic, attempts_per_client: int = LOGIN_ATTEMPTS_PER_CLIENT,
                 max_keys: int = LOGIN_THROTTLE_KEYS) -> None:
        self.attempts, self.attempts_per_client = attempts, attempts_per_client
        self.window_seconds, self.max_keys, self._clock = window_seconds, max_keys, clock
        self._failures: "OrderedDict[str, Deque[float]]" = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def keys(client: str, username: str) -> List[str]:
        return [f"login:{client}:{username}", f"client:{client}"]

    def begin(self, client: str, username: str) -> Optional[float]:
        """Count an attempt as failed; None (nothing counted) if the client or the username is blocked.

        The value returned identifies the attempt for ``succeeded``.
        """
        with self._lock:
            now = self._clock()
            self._prune(now)
            login_key, client_key = self.keys(client, username)
            if self._count(login_key, now) >= self.attempts or self._count(client_key, now) >= self.attempts_per_client:
                return None
            for key in (login_key, client_key):
                self._failures.setdefault(key, deque()).append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)
            return now

    def succeeded(self, client: str, username: str, attempt: float) -> None:
        """The password was right: this client's failures for the username are forgotten."""
        with self._lock:
            login_key, client_key = self.keys(client, username)
            self._failures.pop(login_key, None)
            failures = self._failures.get(client_key)
            if failures is not None and attempt in failures:
                failures.remove(attempt)

    def blocked(self, client: str, username: str) -> bool:
        with self._lock:
            now = self._clock()
            login_key, client_key = self.keys(client, username)
            return self._count(login_key, now) >= self.attempts or self._count(client_key, now) >= self.attempts_per_client

    def tracked_keys(self) -> int:
        return len(self._failures)

    def _count(self, key: str, now: float) -> int:
        failures = self._failures.get(key)
        if not failures:
            return 0
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        return len(failures)

    def _prune(self, now: float) -> None:
        # The least recently used keys are at the front: drop them while all their failures are old.
        cutoff = now - self.window_seconds
        while self._failures:
            key, failures = next(iter(self._failures.items()))
            if failures and failures[-1] > cutoff:
                break
            del self._failures[key]


def password_hashing_pool(threads: int = PASSWORD_HASHING_THREADS) -> ThreadPoolExecutor:
    """A small pool of its own for scrypt (``verify_agent``); never asyncio's default executor."""
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="workspace-password")


def request_client_address(request: Request, trust_forwarded_headers: bool) -> str:
    """The client's IP as this server can vouch for it (kefu.security.client.client_address)."""
    return client_address(request.ip, request.headers.get("x-forwarded-for"), trust_forwarded_headers)


def came_over_tls(request: Request, trust_forwarded_headers: bool) -> bool:
    """Over HTTPS: to this server itself, or (TRUST_FORWARDED_HEADERS only) to the proxy in front of it."""
    if request.scheme == "https":
        return True
    if not trust_forwarded_headers:
        return False
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return proto == "https"


def session_token(request: Request) -> Optional[str]:
    """The token the request carries: ``Authorization: Bearer <token>``, else the session cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def set_session_cookie(request: Request, answer: HTTPResponse, token: str, max_age: int,
                       trust_forwarded_headers: bool = False) -> None:
    answer.cookies[SESSION_COOKIE] = token
    cookie = answer.cookies[SESSION_COOKIE]
    # Only the workspace's own pages and API get it.
    cookie["path"] = request.path.split("/api/", 1)[0] + "/"
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max_age
    if came_over_tls(request, trust_forwarded_headers):
        cookie["secure"] = True
