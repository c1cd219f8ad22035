"""Shoppers a web site has logged in, as the suites send them (CONTRACT §3): ``customer_id`` with an
identity_token signed with the suites' own key, which every assistant they start gets as
IDENTITY_SECRET (tests/conftest.py) and in-process actions get from tests/actions/conftest.py."""

from __future__ import annotations

from typing import Any, Dict

from kefu.security.identity import identity_metadata

TEST_IDENTITY_SECRET = "identity-secret-of-the-test-suites"


def logged_in(customer_id: str, **metadata: Any) -> Dict[str, Any]:
    """Metadata of a message from ``customer_id``, logged in by the shop's site (plus ``metadata``)."""
    return {**metadata, **identity_metadata(customer_id, TEST_IDENTITY_SECRET)}
