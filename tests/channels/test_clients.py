"""What a channel tells the shopper instead of the bot's answer (kefu/channels/clients.py)."""

from kefu.channels.clients import notice


def test_a_notice_has_the_shape_of_the_bots_message():
    message = notice("shopper-1", "channel_message_too_long", max_chars=1000)
    assert set(message) == {"recipient_id", "text"} and message["recipient_id"] == "shopper-1"
    assert "1000" in message["text"]
