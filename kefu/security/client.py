"""Who is at the other end of a channel, as the channel (not the shopper) saw it: the channels stamp
it into a message's metadata under ``CLIENT_METADATA_KEY``, replacing whatever a client sent there,
and the actions count limits (proof failures, open cases) per client with :func:`client_key`."""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, Mapping, Optional

CLIENT_METADATA_KEY = "kefu_client"


def stamp_client(metadata: Optional[Mapping[str, Any]], ip: Optional[str], channel: str) -> Dict[str, Any]:
    """``metadata`` with the channel's own view of the client; a client-sent value never survives."""
    stamped = dict(metadata or {})
    stamped[CLIENT_METADATA_KEY] = {"ip": ip or "", "channel": channel}
    return stamped


def client_ip(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    client = (metadata or {}).get(CLIENT_METADATA_KEY)
    ip = client.get("ip") if isinstance(client, Mapping) else None
    return str(ip) if ip else None


def is_loopback(ip: Optional[str]) -> bool:
    try:
        return ipaddress.ip_address((ip or "").strip()).is_loopback
    except ValueError:
        return False


def client_key(metadata: Optional[Mapping[str, Any]], sender_id: str) -> str:
    """What limits are counted against: the client's IP when a channel stamped one, else the sender.

    A loopback address says nothing about who is behind it (a local proxy
    without TRUST_FORWARDED_HEADERS, the shop's own server, a test suite on the
    machine): counting all of them as one client would lock every shopper out
    together, so they are counted per sender.
    """
    ip = client_ip(metadata)
    return f"ip:{ip}" if ip and not is_loopback(ip) else f"sender:{sender_id}"


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
