"""Replies POSTed to the callback URL a platform call names (docs/channels/platforms.md: callbacks):
only to a host the operator allow-listed (PLATFORM_BRIDGE_CALLBACK_HOSTS), so that nobody can make the
assistant call into its own network (SSRF); signed like the calls themselves (platform_signing), so the
plug-in knows the replies are ours; retried on connection errors and 5xx answers, never redirected.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, Iterable, Optional
from urllib.parse import urlsplit

import aiohttp

from kefu.channels.platform_signing import signed_headers

logger = logging.getLogger(__name__)

MAX_URL_CHARS = 2048
ATTEMPTS = 3
FIRST_PAUSE_SECONDS = 0.5  # doubled after each failed attempt


def callback_allowed(url: Any, allowed_hosts: Iterable[str]) -> bool:
    """Whether replies may go to ``url``: http(s), no credentials in it, and its host (or host:port)
    exactly one of ``allowed_hosts``. No allow-list: no callbacks at all."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS:
        return False
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return False
    host = parts.hostname.lower().rstrip(".")
    allowed = {entry.lower() for entry in allowed_hosts}
    return host in allowed or (port is not None and f"{host}:{port}" in allowed)


async def post_signed(url: str, payload: Dict[str, Any], secret: str, timeout_seconds: float,
                      attempts: int = ATTEMPTS, first_pause: float = FIRST_PAUSE_SECONDS) -> Optional[int]:
    """POSTs ``payload`` as signed JSON; the final HTTP status, None when the host never answered.

    A 2xx or a 4xx ends it (the plug-in has spoken); a 5xx or no answer is tried again, with a new
    nonce each time (the plug-in may keep the nonces it has seen, as the bridge does).
    """
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    timeout = aiohttp.ClientTimeout(total=timeout_seconds)
    status: Optional[int] = None
    pause = first_pause
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for attempt in range(1, attempts + 1):
            headers = {"Content-Type": "application/json; charset=utf-8", **signed_headers(secret, body)}
            try:
                async with session.post(url, data=body, headers=headers, allow_redirects=False) as answer:
                    status = answer.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning("platform callback attempt %d to %s failed: %s", attempt, url, error)
                status = None
            if status is not None and status < 500:
                return status
            if attempt < attempts:
                await asyncio.sleep(pause)
                pause *= 2
    logger.error("platform callback to %s gave up after %d attempts (last status %s)", url, attempts, status)
    return status
