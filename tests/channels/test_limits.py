"""The channel limits (kefu/channels/limits.py) on a clock the test moves."""

from dataclasses import replace

import pytest

from kefu.channels.limits import MessageLimits, Refusal, SlidingWindow
from kefu.security.client import is_loopback
from kefu.settings import Settings


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def limits(clock, max_chars=10, per_sender=3, per_ip=5):
    settings = replace(Settings.from_env(), message_max_chars=max_chars,
                       messages_per_minute_per_sender=per_sender, messages_per_minute_per_ip=per_ip)
    return MessageLimits.from_settings(settings, clock)


def test_a_window_holds_limit_events_and_frees_them_a_window_later(clock):
    window = SlidingWindow(2, 60, clock)
    for _ in range(2):
        assert window.has_room("a")
        window.record("a")
    assert not window.has_room("a") and window.has_room("b")
    clock.now += 59.9
    assert not window.has_room("a")
    clock.now += 0.2
    assert window.has_room("a")


def test_a_limit_of_zero_is_no_limit(clock):
    window = SlidingWindow(0, 60, clock)
    for _ in range(100):
        window.record("a")
    assert window.has_room("a") and len(window) == 0


def test_keys_quiet_for_a_window_are_forgotten(clock):
    window = SlidingWindow(5, 60, clock)
    for n in range(1000):
        window.record(f"one-off-{n}")
    clock.now += 30
    window.record("recent")
    clock.now += 31
    window.has_room("anyone")  # the first look a window after the last prune prunes
    assert len(window) == 1


def test_a_sender_over_its_limit_is_asked_to_slow_down(clock):
    channel = limits(clock)
    assert [channel.screen("s1", "203.0.113.7", "你好") for _ in range(4)] == [None, None, None, Refusal.TOO_FAST]
    assert channel.screen("s2", "203.0.113.7", "你好") is None, "another sender on the same address"
    clock.now += 61
    assert channel.screen("s1", "203.0.113.7", "你好") is None


def test_an_address_over_its_limit_is_asked_to_slow_down_whatever_sender_it_names(clock):
    channel = limits(clock)
    answers = [channel.screen(f"fake-{n}", "203.0.113.7", "你好") for n in range(6)]
    assert answers == [None] * 5 + [Refusal.TOO_FAST]
    assert channel.screen("fake-99", "198.51.100.1", "你好") is None, "another address"


def test_the_loopback_address_has_no_address_limit_only_the_sender_limit(clock):
    channel = limits(clock)
    assert all(channel.screen(f"suite-{n}", "127.0.0.1", "你好") is None for n in range(50))
    assert [channel.screen("one", "::1", "你好") for _ in range(4)][-1] is Refusal.TOO_FAST


def test_a_refused_message_is_not_counted(clock):
    channel = limits(clock, per_sender=2)
    channel.screen("s1", None, "a")
    clock.now += 30
    channel.screen("s1", None, "b")
    for _ in range(10):
        assert channel.screen("s1", None, "c") is Refusal.TOO_FAST
    clock.now += 31  # a minute after the first accepted one, not after the refused ones
    assert channel.screen("s1", None, "d") is None


def test_a_message_over_the_length_cap_is_refused_but_counted(clock):
    channel = limits(clock, max_chars=10, per_sender=2)
    assert channel.screen("s1", None, "字" * 10) is None
    assert channel.screen("s1", None, "字" * 11) is Refusal.TOO_LONG
    assert channel.screen("s1", None, "字") is Refusal.TOO_FAST, "a flood of long messages is a flood"
    assert Refusal.TOO_LONG.status == 200 and Refusal.TOO_FAST.status == 429


def test_missing_text_is_not_too_long(clock):
    assert limits(clock).screen("s1", None, None) is None


@pytest.mark.parametrize("ip, loopback", [("127.0.0.1", True), ("::1", True), ("127.8.0.1", True),
                                          ("10.0.0.1", False), ("", False), ("not an ip", False)])
def test_loopback(ip, loopback):
    assert is_loopback(ip) is loopback
