"""Who the shopper is, as far as the conversation has established it: a channel's ``customer_id``
counts only with a valid identity_token (kefu/security/identity.py, CONTRACT §3)."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

from actions.latest_message import latest_metadata
from kefu import names
from kefu.security.identity import identity_secret, verified_customer
from kefu.settings import Settings


def channel_customer_id(tracker: Tracker) -> Optional[str]:
    """The customer the channel vouches for with a signed token; None for an anonymous shopper."""
    metadata = latest_metadata(tracker)
    customer_id = metadata.get("customer_id")
    if not customer_id:
        return None
    settings = Settings.from_env()
    if settings.trust_metadata_customer_id:
        # DANGEROUSLY_TRUST_METADATA_CUSTOMER_ID: anyone may claim to be anyone (the launcher warns).
        return str(customer_id)
    return verified_customer(customer_id, metadata.get("identity_token"), identity_secret(settings))


def known_customer_id(tracker: Tracker) -> Optional[str]:
    """The channel's authenticated id, else the one the shopper proved."""
    return channel_customer_id(tracker) or tracker.get_slot(names.VERIFIED_CUSTOMER_SLOT)
