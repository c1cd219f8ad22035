"""Whether a server listens beyond this machine: a connect attempt on an address of the
machine that is not loopback (the one its default route would use)."""

from __future__ import annotations

import socket
from contextlib import closing
from typing import Optional


def non_loopback_address() -> Optional[str]:
    """An IPv4 address of this machine other than 127.x, or None when it has none."""
    try:
        # A UDP "connect" sends nothing; it only picks the interface of the default route.
        with closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def accepts_connections(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def address_is_reachable(address: str, port: int) -> bool:
    """A control: a throwaway listener on every interface answers on ``address``, so a refused
    connection there means the server under test is not listening on it, not that the address is dead."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("0.0.0.0", port))
        listener.listen(1)
        return accepts_connections(address, port)
