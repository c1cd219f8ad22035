"""Session tokens (kefu/channels/sessions.py) on a real SQLite database, two replicas' worth."""

import re

from sqlalchemy import select

from kefu.channels.sessions import SessionCheck, SessionTokens, token_hash
from kefu.storage.db import make_engine
from kefu.storage.handoff_schema import create_handoff_schema
from kefu.storage.session_models import ChannelSession


def tokens_on(tmp_path, name="shop.db"):
    return SessionTokens(make_engine(f"sqlite:///{tmp_path / name}"))


def test_a_new_sender_id_is_unclaimed_until_a_session_starts(tmp_path):
    tokens = tokens_on(tmp_path)
    assert tokens.check("shopper-1", None) is SessionCheck.UNCLAIMED
    assert tokens.check("shopper-1", "anything") is SessionCheck.UNCLAIMED

    token = tokens.start("shopper-1")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), "token_urlsafe(32): 256 random bits"
    assert tokens.check("shopper-1", token) is SessionCheck.VALID
    assert tokens.check("shopper-1", None) is SessionCheck.MISSING
    assert tokens.check("shopper-1", "") is SessionCheck.MISSING
    assert tokens.check("shopper-1", token[:-1]) is SessionCheck.WRONG
    assert tokens.check("shopper-2", token) is SessionCheck.UNCLAIMED, "a token belongs to its sender id"


def test_a_sender_id_is_claimed_once(tmp_path):
    tokens = tokens_on(tmp_path)
    first = tokens.start("shopper-1")
    assert tokens.start("shopper-1") is None, "the second first message gets no token"
    assert tokens.check("shopper-1", first) is SessionCheck.VALID


def test_every_replica_knows_the_session_and_only_its_hash_is_stored(tmp_path):
    one, other = tokens_on(tmp_path), tokens_on(tmp_path)
    token = one.start("shopper-1")
    assert other.check("shopper-1", token) is SessionCheck.VALID
    with other.engine.connect() as connection:
        stored = connection.execute(select(ChannelSession.token_hash)).scalars().all()
    assert stored == [token_hash(token)] and token not in stored[0]


def test_two_tokens_are_never_alike(tmp_path):
    tokens = tokens_on(tmp_path)
    issued = {tokens.start(f"shopper-{n}") for n in range(50)}
    assert len(issued) == 50


def test_the_handoff_schema_creates_the_session_table(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
    create_handoff_schema(engine)
    with engine.connect() as connection:
        assert connection.execute(select(ChannelSession)).all() == []
