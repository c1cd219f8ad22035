from kefu.security.client import CLIENT_METADATA_KEY, client_address, client_ip, client_key, is_loopback, stamp_client


def test_a_client_cannot_choose_its_own_stamp():
    forged = {CLIENT_METADATA_KEY: {"ip": "10.0.0.1"}, "channel": "web"}
    stamped = stamp_client(forged, "203.0.113.7", "rest")
    assert stamped[CLIENT_METADATA_KEY] == {"ip": "203.0.113.7", "channel": "rest"}
    assert stamped["channel"] == "web"
    assert forged[CLIENT_METADATA_KEY] == {"ip": "10.0.0.1"}  # the caller's dict is left alone


def test_limits_count_per_ip_else_per_sender():
    assert client_key(stamp_client({}, "203.0.113.7", "rest"), "s-1") == "ip:203.0.113.7"
    assert client_key({}, "s-1") == "sender:s-1"
    assert client_key({CLIENT_METADATA_KEY: "junk"}, "s-1") == "sender:s-1"
    assert client_ip(None) is None


def test_loopback_clients_are_counted_per_sender():
    # Everybody behind a local proxy arrives from 127.0.0.1: one key would lock them all out together.
    assert client_key(stamp_client({}, "127.0.0.1", "rest"), "s-1") == "sender:s-1"
    assert client_key(stamp_client({}, "::1", "rest"), "s-2") == "sender:s-2"
    assert is_loopback("127.0.0.5") and not is_loopback("203.0.113.7") and not is_loopback("junk")


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored():
    assert client_address("203.0.113.7", "1.2.3.4", trust_forwarded=False) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_rightmost_forwarded_entry_is_the_client():
    # The client wrote "6.6.6.6" itself; our proxy appended the address it saw.
    assert client_address("10.0.0.2", "6.6.6.6, 203.0.113.7", trust_forwarded=True) == "203.0.113.7"
    assert client_address("10.0.0.2", "203.0.113.7", trust_forwarded=True) == "203.0.113.7"


def test_behind_a_trusted_proxy_without_the_header_the_peer_counts():
    assert client_address("10.0.0.2", None, trust_forwarded=True) == "10.0.0.2"
    assert client_address("10.0.0.2", " , ", trust_forwarded=True) == "10.0.0.2"
