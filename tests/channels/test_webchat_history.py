"""The conversation as the widget shows it again (kefu/channels/webchat_history.py), from tracker events
as Rasa stores them."""

from kefu.channels.webchat_history import HISTORY_MAX_MESSAGES, conversation_history


def test_the_shopper_the_bot_and_the_agent_in_order_with_photos_between():
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "user", "text": "你好", "timestamp": 2.0, "metadata": {"client_message_id": "m1", "channel": "web"}},
        {"event": "bot", "text": "亲，您好", "timestamp": 3.0, "data": {"buttons": [{"title": "查物流", "payload": "/track_order"}]}},
        {"event": "user", "text": "/track_order", "timestamp": 4.0, "metadata": {"display_text": "查物流"}},
        {"event": "bot", "text": None, "timestamp": 4.5, "data": {"custom": {"type": "order_card", "order": {"order_id": "1"}}}},
        {"event": "bot", "text": None, "timestamp": 4.6, "data": {}},
        {"event": "bot", "text": "我是小美", "timestamp": 6.0, "metadata": {"handoff": {"from": "agent", "agent": "小美"}}},
        {"event": "user", "text": "", "timestamp": 7.0},
    ]
    history = conversation_history(events, [{"id": "p1", "at": 5.0}])
    assert history == [
        {"from": "shopper", "text": "你好", "at": 2.0, "client_message_id": "m1"},
        {"from": "bot", "text": "亲，您好", "at": 3.0, "buttons": [{"title": "查物流", "payload": "/track_order"}]},
        {"from": "shopper", "text": "查物流", "at": 4.0, "client_message_id": None},
        {"from": "bot", "at": 4.5, "custom": {"type": "order_card", "order": {"order_id": "1"}}},
        {"from": "shopper", "photo": "photos/p1", "at": 5.0},
        {"from": "agent", "agent": "小美", "text": "我是小美", "at": 6.0},
    ]


def test_only_the_latest_messages_come_back():
    events = [{"event": "user", "text": f"第{n}条", "timestamp": float(n)} for n in range(HISTORY_MAX_MESSAGES + 20)]
    history = conversation_history(events)
    assert len(history) == HISTORY_MAX_MESSAGES
    assert history[-1]["text"] == f"第{HISTORY_MAX_MESSAGES + 19}条"
