"""Shopper identities a shop's web site or app vouches for (CONTRACT §3): a site that has logged the
shopper in sends ``customer_id`` together with ``identity_token`` = ``"{customer_id}.{expires}.{mac}"``,
``mac`` the lowercase hex HMAC-SHA256 of ``"{customer_id}.{expires}"`` keyed with ``IDENTITY_SECRET``.
Without a valid, unexpired token naming that same customer the shopper is anonymous.

A web server in Python mints a token with :func:`sign_identity` (or :func:`identity_metadata` for the
whole metadata); anything else with ``python -m kefu.security.identity C0001 [--hours 24]``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from kefu.settings import Settings

DEFAULT_LIFETIME_SECONDS = 24 * 3600
# The single-machine demo's key, shared by every process started from the same project folder.
DEMO_SECRET_FILE = Path("var") / "identity_secret"


def _mac(customer_id: str, expires: int, secret: str) -> str:
    message = f"{customer_id}.{expires}".encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_identity(
    customer_id: str,
    secret: str,
    expires_at: Optional[int] = None,
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
) -> str:
    """The identity_token for ``customer_id``, valid until ``expires_at`` (Unix seconds; default
    ``lifetime_seconds`` from now)."""
    if not secret:
        raise ValueError("an identity token needs a secret")
    if not customer_id:
        raise ValueError("an identity token needs a customer id")
    expires = int(expires_at if expires_at is not None else time.time() + lifetime_seconds)
    return f"{customer_id}.{expires}.{_mac(customer_id, expires, secret)}"


def verified_customer(
    customer_id: Any, token: Any, secret: str, now: Optional[float] = None
) -> Optional[str]:
    """``customer_id`` when ``token`` is a valid, unexpired token for exactly that customer; else None."""
    if not secret or not isinstance(customer_id, str) or not isinstance(token, str) or not customer_id:
        return None
    # Customer ids may contain dots; the expiry and the mac never do, so split from the right.
    parts = token.rsplit(".", 2)
    if len(parts) != 3:
        return None
    named, expires_text, mac = parts
    if not expires_text.isdigit():
        return None
    expires = int(expires_text)
    # Compare the mac before anything else about the token, in constant time.
    if not hmac.compare_digest(mac.encode("utf-8"), _mac(named, expires, secret).encode("utf-8")):
        return None
    if not hmac.compare_digest(named.encode("utf-8"), customer_id.encode("utf-8")):
        return None
    if expires <= (time.time() if now is None else now):
        return None
    return customer_id


def identity_metadata(customer_id: str, secret: str, **signing: Any) -> Dict[str, str]:
    """What a logged-in shopper's message carries in its metadata."""
    return {"customer_id": customer_id, "identity_token": sign_identity(customer_id, secret, **signing)}


def identity_secret(settings: Settings) -> str:
    """``IDENTITY_SECRET``, or for the single-machine demo a random key kept in var/identity_secret
    (created 0600 on first use and read by the action server, ``make shell`` and the launcher alike)."""
    if settings.identity_secret:
        return settings.identity_secret
    return _demo_secret(settings.project_root / DEMO_SECRET_FILE)


def _demo_secret(path: Path) -> str:
    existing = _read_secret(path)
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and linked into place: two processes starting together agree on one key, and
    # nobody ever reads a half-written file.
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as draft_file:
            draft_file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its key counts
    finally:
        draft.unlink(missing_ok=True)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Print an identity_token for a logged-in shopper.")
    parser.add_argument("customer_id")
    parser.add_argument("--hours", type=float, default=DEFAULT_LIFETIME_SECONDS / 3600, help="lifetime (default 24)")
    args = parser.parse_args(argv)
    secret = identity_secret(Settings.from_env())
    print(sign_identity(args.customer_id, secret, lifetime_seconds=int(args.hours * 3600)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
