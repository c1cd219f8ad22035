"""The web chat's tables (kefu/channels/webchat_store.py) on a real SQLite database, two replicas' worth."""

from datetime import timedelta

from kefu.channels.webchat_store import WebchatStore
from kefu.storage.clock import shop_now
from kefu.storage.db import make_engine


def store_on(tmp_path):
    return WebchatStore(make_engine(f"sqlite:///{tmp_path / 'shop.db'}"))


def test_a_client_message_id_is_taken_once_per_session_on_every_replica(tmp_path):
    one, other = store_on(tmp_path), store_on(tmp_path)
    assert one.take_client_message("s1", "m1")
    assert not one.take_client_message("s1", "m1"), "sent again after a reconnect"
    assert not other.take_client_message("s1", "m1"), "sent again to another replica"
    assert one.take_client_message("s2", "m1"), "another session may use the same id"
    assert one.take_client_message("s1", "m2")


def test_a_photo_is_kept_with_its_session_and_case(tmp_path):
    store = store_on(tmp_path)
    photo_id = store.add_photo("s1", "image/png", b"\x89PNG\r\n\x1a\nrest", case_id=7)
    photo = store.photo(photo_id)
    assert (photo.sender_id, photo.case_id, photo.content_type, photo.data) == ("s1", 7, "image/png",
                                                                                  b"\x89PNG\r\n\x1a\nrest")
    assert len(photo_id) == 32 and store.photo("0" * 32) is None
    assert [photo["id"] for photo in store.photos_of("s1")] == [photo_id]
    assert store.photos_of("s2") == []


def test_a_second_rating_of_the_same_subject_replaces_the_first(tmp_path):
    store = store_on(tmp_path)
    store.rate("s1", "case:3", 2, "等太久", case_id=3, agent="agent")
    store.rate("s1", "case:3", 4, "", case_id=3, agent="agent")
    store.rate("s1", "conversation:2026-12-04", 5, "很方便")
    assert store.ratings_of("s1") == [
        {"subject": "case:3", "case_id": 3, "agent": "agent", "score": 4, "comment": None, "channel": "web"},
        {"subject": "conversation:2026-12-04", "case_id": None, "agent": None, "score": 5, "comment": "很方便",
         "channel": "web"},
    ]


def test_old_client_message_ids_are_forgotten(tmp_path):
    moments = iter([shop_now() - timedelta(days=2), shop_now()])
    store = WebchatStore(make_engine(f"sqlite:///{tmp_path / 'shop.db'}"), now=lambda: next(moments))
    store.take_client_message("s1", "old")
    store.take_client_message("s1", "new")
    assert store.forget_client_messages(shop_now() - timedelta(days=1)) == 1
    store._now = shop_now
    assert store.take_client_message("s1", "old"), "forgotten: taken again"
    assert not store.take_client_message("s1", "new")
