"""The platform bridge's tables (kefu/channels/platform_bridge.py, docs/channels/platforms.md), in the
assistant's own database so that every Rasa replica sees the same rows:

* ``platform_nonces``: the nonce of every signed call still inside the time window; a second call with
  the same nonce is a replay. Rows carry their expiry and are pruned once it has passed.
* ``platform_bindings``: what the merchant's ISV plug-in vouched for in a signed call: a buyer's
  platform id (Taobao nick, JD pin …) is shop customer X, or a platform item id is shop product Y.
* ``platform_messages``: the ``message_id`` of every buyer message taken in the last day, with the replies
  it got: a plug-in that timed out sends the same message again (with a new nonce), and gets those
  replies instead of a second answer from the bot. Rows carry their expiry and are pruned once it has
  passed.

Their own Base (not the handoff tables'): created by the bridge's store when it first needs them, and
dropped by nothing else.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, String
from sqlalchemy.orm import declarative_base

from kefu.storage.models import ShopDateTime

PlatformBase = declarative_base()

# What a binding maps.
BUYER = "buyer"  # platform buyer id -> shop customer id
ITEM = "item"  # platform item id -> shop product id


class PlatformNonce(PlatformBase):
    """One signed call's nonce, remembered until the call's timestamp can no longer be accepted."""

    __tablename__ = "platform_nonces"

    platform = Column(String(32), primary_key=True)
    nonce = Column(String(64), primary_key=True)
    expires_at = Column(Float, nullable=False, index=True)  # Unix seconds


class PlatformBinding(PlatformBase):
    """A platform id the merchant's plug-in mapped to one of the shop's ids."""

    __tablename__ = "platform_bindings"

    platform = Column(String(32), primary_key=True)
    kind = Column(String(16), primary_key=True)  # BUYER or ITEM
    platform_id = Column(String(128), primary_key=True)
    shop_id = Column(String(128), nullable=False)
    bound_at = Column(ShopDateTime, nullable=False)


class PlatformMessage(PlatformBase):
    """A buyer message the bridge took, known by the platform's message id, and what it was answered."""

    __tablename__ = "platform_messages"

    platform = Column(String(32), primary_key=True)
    buyer_id = Column(String(128), primary_key=True)
    message_id = Column(String(128), primary_key=True)
    expires_at = Column(Float, nullable=False, index=True)  # Unix seconds
    replies = Column(JSON(none_as_null=True), nullable=True)  # the REST payloads sent back; None while it is being answered
