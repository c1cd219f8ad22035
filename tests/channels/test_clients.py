"""The client's address as a channel vouches for it (kefu/channels/clients.py)."""

from kefu.channels.clients import client_address, notice


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored():
    assert client_address("203.0.113.7", "1.2.3.4", trust_forwarded=False) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_rightmost_forwarded_entry_is_the_client():
    # The client wrote "6.6.6.6" itself; our proxy appended the address it saw.
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.7", trust_forwarded=True) == "203.0.113.7"
    assert client_address("10.0.0.2", "203.0.113.7", trust_forwarded=True) == "203.0.113.7"


def test_behind_a_trusted_proxy_without_the_header_the_peer_counts():
    assert client_address("10.0.0.2", None, trust_forwarded=True) == "10.0.0.2"
    assert client_address("10.0.0.2", " , ", trust_forwarded=True) == "10.0.0.2"


def test_a_notice_has_the_shape_of_the_bots_message():
    message = notice("shopper-1", "channel_message_too_long", max_chars=1000)
    assert set(message) == {"recipient_id", "text"} and message["recipient_id"] == "shopper-1"
    assert "1000" in message["text"]
