"""Which photos go with a problem report (kefu/handoff/report_photos.py), on a real SQLite handoff database
where the web chat keeps them."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

import pytest

from kefu.backends.after_sales import MAX_PROBLEM_PHOTOS
from kefu.handoff.report_photos import (
    DEFAULT_SESSION_MINUTES,
    WEB_CHAT_INPUT_CHANNEL,
    ReportPhotos,
    conversation_began,
    session_gap_seconds,
)
from kefu.storage.clock import SHOP_TZ
from kefu.storage.db import make_engine, make_session_factory
from kefu.storage.webchat_models import WebchatPhoto

HOUR = 3600.0
# The current session started at 10:00 shop time; the previous one ended before 08:30.
SESSION_START = datetime(2026, 12, 2, 10, 0, tzinfo=SHOP_TZ).timestamp()
EVENTS = [
    {"event": "session_started", "timestamp": SESSION_START - 5 * HOUR},
    {"event": "user", "text": "你好", "timestamp": SESSION_START - 5 * HOUR + 1},
    {"event": "user", "text": "在吗", "timestamp": SESSION_START - 1.5 * HOUR},
    {"event": "session_started", "timestamp": SESSION_START},
    {"event": "user", "text": "杯子碎了", "timestamp": SESSION_START + 1, "input_channel": WEB_CHAT_INPUT_CHANNEL},
]


def sent(engine, sender_id: str, at: float) -> str:
    """A photo as the web chat stores it (kefu.channels.webchat_store), sent at Unix time ``at``."""
    photo_id = secrets.token_hex(16)
    with make_session_factory(engine)() as session:
        session.add(WebchatPhoto(id=photo_id, sender_id=sender_id, case_id=None, content_type="image/png",
                                 size=4, data=b"\x89PNG", created_at=datetime.fromtimestamp(at, SHOP_TZ)))
        session.commit()
    return photo_id


def photos(engine, sender_id="web-1", channel=WEB_CHAT_INPUT_CHANNEL, events=EVENTS):
    return ReportPhotos(lambda: engine).for_report(sender_id, channel, events, HOUR)


def test_the_conversation_reaches_back_by_the_sessions_silence_limit():
    assert conversation_began(EVENTS, HOUR) == SESSION_START - HOUR
    assert conversation_began([{"event": "restart", "timestamp": 50.0}, {"event": "user", "timestamp": 60.0}], 0) == 50.0
    # Sessions switched off: the conversation is the whole tracker.
    assert conversation_began([{"event": "user", "timestamp": 70.0}, {"event": "bot", "timestamp": 80.0}], 10) == 60.0
    assert conversation_began([{"event": "user"}], HOUR) is None


def test_the_silence_limit_is_the_domains_session_expiration_time():
    assert session_gap_seconds({"session_config": {"session_expiration_time": 30}}) == 30 * 60
    assert session_gap_seconds({}) == session_gap_seconds({"session_config": {"session_expiration_time": "x"}}) \
        == DEFAULT_SESSION_MINUTES * 60


def test_the_photos_of_the_current_conversation_go_with_the_report_oldest_first(handoff_sqlite):
    sent(handoff_sqlite, "web-1", SESSION_START - 3 * HOUR)  # the previous conversation's
    before_first_message = sent(handoff_sqlite, "web-1", SESSION_START - 60)  # the photo, then "杯子碎了"
    during = sent(handoff_sqlite, "web-1", SESSION_START + 30)
    sent(handoff_sqlite, "web-2", SESSION_START + 40)  # another shopper's

    assert photos(handoff_sqlite) == (before_first_message, during)


def test_at_most_the_latest_photos_a_report_can_carry(handoff_sqlite):
    ids = [sent(handoff_sqlite, "web-1", SESSION_START + n) for n in range(MAX_PROBLEM_PHOTOS + 2)]

    assert photos(handoff_sqlite) == tuple(ids[-MAX_PROBLEM_PHOTOS:])


@pytest.mark.parametrize("channel", ["rest", "socketio", "wechat", None])
def test_a_shopper_on_another_channel_gets_none(handoff_sqlite, channel):
    sent(handoff_sqlite, "web-1", SESSION_START + 30)

    assert photos(handoff_sqlite, channel=channel) == ()


def test_a_conversation_without_times_gets_none(handoff_sqlite):
    sent(handoff_sqlite, "web-1", SESSION_START + 30)

    assert photos(handoff_sqlite, events=[{"event": "user", "text": "坏了"}]) == ()


def test_a_database_that_cannot_answer_gives_none_and_a_warning(tmp_path, caplog):
    missing = make_engine(f"sqlite:///{tmp_path / 'no-tables.db'}")  # no webchat_photos table: it cannot answer

    with caplog.at_level(logging.WARNING, logger="kefu.handoff.report_photos"):
        assert photos(missing) == ()
    assert "web-1" in caplog.text and "without them" in caplog.text


def test_a_database_server_that_is_down_gives_none(caplog):
    down = make_engine("postgresql://nobody@127.0.0.1:9/none")

    with caplog.at_level(logging.WARNING, logger="kefu.handoff.report_photos"):
        assert photos(down) == ()
    assert "without them" in caplog.text


def test_the_window_is_kept_to_the_second(handoff_sqlite):
    edge = SESSION_START - HOUR
    sent(handoff_sqlite, "web-1", edge - 1)
    on_the_edge = sent(handoff_sqlite, "web-1", edge)

    assert photos(handoff_sqlite) == (on_the_edge,)
