"""Who the shopper is, as far as the conversation has established it."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

from actions.latest_message import latest_metadata
from kefu import names
from kefu.settings import Settings


def channel_customer_id(tracker: Tracker) -> Optional[str]:
    if not Settings.from_env().trust_metadata_customer_id:
        return None
    customer_id = latest_metadata(tracker).get("customer_id")
    return str(customer_id) if customer_id else None


def known_customer_id(tracker: Tracker) -> Optional[str]:
    """The channel's authenticated id, else the one the shopper proved."""
    return channel_customer_id(tracker) or tracker.get_slot(names.VERIFIED_CUSTOMER_SLOT)
