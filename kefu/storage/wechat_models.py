"""The WeChat connectors' tables (kefu/channels/wechat/store.py): the shared access tokens, the callbacks
already seen, the WeChat Customer Service cursors and one row per WeChat user (binding to a shop
customer, the reply window, the numbered choices last offered). In the database, not in one server's
memory, so that every Rasa replica shares them and a restart forgets nothing; on the handoff tables'
Base, so that rebuilding the demo shop keeps them (docs/channels/wechat.md)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Integer, String

from kefu.storage.handoff_models import Base


class WeChatAccessToken(Base):
    """One account's access_token, fetched by one replica at a time (``lease_until``) for all of them."""

    __tablename__ = "wechat_access_tokens"

    account = Column(String(120), primary_key=True)  # "mp:<appid>" or "kf:<corpid>"
    token = Column(String(600), nullable=True)
    expires_at = Column(Float, nullable=False, default=0.0)  # Unix seconds
    lease_until = Column(Float, nullable=True)  # a replica is fetching a new token until then


class WeChatSeenMessage(Base):
    """A callback (MsgId, or the event's sender + time) already taken: WeChat's retries are dropped."""

    __tablename__ = "wechat_seen_messages"

    key = Column(String(255), primary_key=True)
    seen_at = Column(Float, nullable=False, index=True)


class WeChatKfCursor(Base):
    """Where kf/sync_msg stopped for one customer-service account: a restart neither loses nor replays."""

    __tablename__ = "wechat_kf_cursors"

    open_kfid = Column(String(120), primary_key=True)
    cursor = Column(String(255), nullable=False)
    updated_at = Column(Float, nullable=False)


class WeChatUser(Base):
    """One WeChat user of one account, under the unguessable sender id the Rasa conversation has."""

    __tablename__ = "wechat_users"

    sender_id = Column(String(64), primary_key=True)
    kind = Column(String(8), nullable=False)  # "mp" (Official Account / Mini Program) or "kf"
    account = Column(String(120), nullable=False)  # the AppID, or the open_kfid
    user = Column(String(255), nullable=False)  # the openid, or the external_userid
    # The shop customer this user proved an order of (order number + phone tail), and which order.
    customer_id = Column(String(64), nullable=True)
    bound_order = Column(String(32), nullable=True)
    bound_at = Column(Float, nullable=True)
    # WeChat Customer Service: when the user last wrote (the 48-hour window) and how many messages
    # went to them since (at most 5).
    last_user_message_at = Column(Float, nullable=True)
    sent_since = Column(Integer, nullable=False, default=0)
    window_state = Column(String(16), nullable=True)  # open, exhausted, closed
    # The handoff case already handed to WeChat's own agents (kf/service_state/trans).
    transferred_case_id = Column(Integer, nullable=True)
    # The button payloads offered last as numbered choices ("回复 1 …").
    choices = Column(JSON, nullable=True)
