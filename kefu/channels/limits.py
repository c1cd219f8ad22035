"""What a shopper's message must pass before anything reads it: its length, and how many messages its
sender and its client address sent in the last minute (docs/security.md: channel limits).

Counted in this process (each Rasa replica counts its own clients: a load
balancer that keeps a client on one replica keeps the limit exact). All the
counting happens on the event loop between two awaits, so no lock is needed.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from typing import Callable, Deque, Dict, Optional

from kefu.security.client import is_loopback
from kefu.settings import Settings

MINUTE = 60.0


class Refusal(enum.Enum):
    """Why a message was not processed: the HTTP status the REST channel answers with, and the
    phrase (data/responses/channels.yml) the shopper reads instead of the bot's answer."""

    TOO_FAST = (429, "channel_slow_down")
    TOO_LONG = (200, "channel_message_too_long")

    @property
    def status(self) -> int:
        return self.value[0]

    @property
    def phrase(self) -> str:
        return self.value[1]


class SlidingWindow:
    """At most ``limit`` events per key in any ``seconds``; a limit of 0 or less: no limit."""

    def __init__(self, limit: int, seconds: float = MINUTE, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._events: Dict[str, Deque[float]] = {}
        self._next_prune = clock() + seconds

    def has_room(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = self._clock()
        self._prune(now)
        events = self._events.get(key)
        if events is None:
            return True
        while events and events[0] <= now - self.seconds:
            events.popleft()
        return len(events) < self.limit

    def record(self, key: str) -> None:
        if self.limit > 0:
            self._events.setdefault(key, deque()).append(self._clock())

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._events)

    def _prune(self, now: float) -> None:
        # Once a window: forget the keys with nothing in the last window, so a
        # flood of one-off senders does not grow the table for ever.
        if now < self._next_prune:
            return
        self._next_prune = now + self.seconds
        stale = [key for key, events in self._events.items() if not events or events[-1] <= now - self.seconds]
        for key in stale:
            del self._events[key]


class MessageLimits:
    """The limits one channel applies to every shopper's message."""

    def __init__(self, max_chars: int, per_sender: SlidingWindow, per_ip: SlidingWindow) -> None:
        self.max_chars = max_chars
        self.per_sender = per_sender
        self.per_ip = per_ip

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.monotonic) -> "MessageLimits":
        return cls(settings.message_max_chars,
                   SlidingWindow(settings.messages_per_minute_per_sender, MINUTE, clock),
                   SlidingWindow(settings.messages_per_minute_per_ip, MINUTE, clock))

    def screen(self, sender_id: str, ip: Optional[str], text: Optional[str]) -> Optional[Refusal]:
        """Why this message may not go on (None: it may), counting it if it may.

        A refused message is not counted: a client that keeps sending too fast
        gets its turn back a minute after its last accepted message. The
        loopback address names no client (a process on this machine, or a
        proxy whose X-Forwarded-For is not trusted: every shopper at once), so
        it has no per-address limit; the per-sender limit still holds.
        """
        ip_key = None if not ip or is_loopback(ip) else ip
        if not self.per_sender.has_room(sender_id) or (ip_key and not self.per_ip.has_room(ip_key)):
            return Refusal.TOO_FAST
        self.per_sender.record(sender_id)
        if ip_key:
            self.per_ip.record(ip_key)
        if self.max_chars > 0 and len(text or "") > self.max_chars:
            return Refusal.TOO_LONG
        return None
