"""Who the shopper is, as far as the conversation has established it."""

from __future__ import annotations

import os
from typing import Optional

from rasa_sdk import Tracker

from actions.latest_message import latest_metadata

VERIFIED_CUSTOMER_SLOT = "verified_customer_id"


def _trust_channel_identity() -> bool:
    # A channel connector (or the shop's own web server in front of the REST
    # channel) that has logged the shopper in passes customer_id in metadata.
    # Turn this off when clients can reach the REST channel directly.
    return os.environ.get("TRUST_METADATA_CUSTOMER_ID", "true").lower() in ("1", "true", "yes")


def channel_customer_id(tracker: Tracker) -> Optional[str]:
    if not _trust_channel_identity():
        return None
    customer_id = latest_metadata(tracker).get("customer_id")
    return str(customer_id) if customer_id else None


def known_customer_id(tracker: Tracker) -> Optional[str]:
    """The channel's authenticated id, else the one the shopper proved."""
    return channel_customer_id(tracker) or tracker.get_slot(VERIFIED_CUSTOMER_SLOT)
