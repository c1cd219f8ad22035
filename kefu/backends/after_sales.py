"""After-sales changes, the few things the assistant may change in the shop:
each call is made completely or refused with :class:`AfterSalesRejected`
and a code, an answer rather than a failure (see docs/backends.md)."""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Sequence, Tuple

from kefu.backends.orders import NOT_YET_SHIPPED, Order, Recipient, ReturnRequest

REJECTION_CODES = (
    "unknown_order",
    "not_allowed_in_state",
    "item_not_in_order",
    "already_requested",
    "out_of_stock",
    "unknown_sku",
    "invalid_address",
    "invalid_request",
)

PROBLEM_KINDS = ("damaged", "wrong_item", "missing_item", "quality")
PROBLEM_KIND_LABELS = {
    "damaged": "商品破损",
    "wrong_item": "发错商品",
    "missing_item": "少发漏发",
    "quality": "质量问题",
}
RESOLUTIONS = ("reship", "refund", "agent")
# What a problem report waits for, by the resolution the shopper chose.
PROBLEM_STATUS_OF_RESOLUTION = {
    "reship": "reship_pending",
    "refund": "refund_pending",
    "agent": "awaiting_agent",
}

# Photos that go with a problem report: references to images the assistant keeps (the web chat's
# photo ids, docs/channels/webchat.md), never the images themselves. Nine, as the marketplaces'
# after-sales forms allow; an id is a short token, nothing that could be a path or a URL.
MAX_PROBLEM_PHOTOS = 9
PHOTO_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

# Order states in which each change is allowed.
RETURNABLE_STATES = ("delivered",)
CHANGEABLE_STATES = NOT_YET_SHIPPED  # cancel or redirect before the parcel leaves
SHIPPED_STATES = ("shipped", "in_transit", "delivered", "return_requested")
# A return or exchange in one of these states still covers its SKUs: asking
# again for the same item would open a second claim on one parcel.
OPEN_REQUEST_STATUSES = ("requested", "approved")


class AfterSalesRejected(Exception):
    """The shop refused the change; NOT a BackendFailure (that means 'could not answer')."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ProblemReport:
    """A shopper's report of a damaged, wrong, missing or faulty item."""

    report_id: str  # Q2024111100001-01
    order_id: str
    sku_id: Optional[str]  # None: the order as a whole
    kind: str  # damaged | wrong_item | missing_item | quality
    description: str
    resolution: str  # reship | refund | agent
    status: str  # reship_pending | refund_pending | awaiting_agent
    created_at: datetime
    # The shopper's photos of the problem, in the order they were sent (see MAX_PROBLEM_PHOTOS).
    photo_ids: Tuple[str, ...] = ()


def check_problem_request(kind: str, resolution: str, photo_ids: Sequence[str] = ()) -> Tuple[str, ...]:
    """Refuse a problem report whose kind or resolution the shop does not know, or whose photo
    references are not ids; the photo ids to record, each once, in the order given."""
    if kind not in PROBLEM_KINDS:
        raise AfterSalesRejected("invalid_request", f"kind must be one of {', '.join(PROBLEM_KINDS)}")
    if resolution not in RESOLUTIONS:
        raise AfterSalesRejected("invalid_request", f"resolution must be one of {', '.join(RESOLUTIONS)}")
    if isinstance(photo_ids, str):  # one id is not a list of its characters
        raise AfterSalesRejected("invalid_request", "photo_ids must be a list of photo ids")
    photos = tuple(dict.fromkeys(photo_ids))
    strangers = [photo for photo in photos if not isinstance(photo, str) or not PHOTO_ID.fullmatch(photo)]
    if strangers:
        raise AfterSalesRejected("invalid_request", f"not a photo id: {strangers[0]!r}"[:120])
    if len(photos) > MAX_PROBLEM_PHOTOS:
        raise AfterSalesRejected("invalid_request", f"at most {MAX_PROBLEM_PHOTOS} photos per report")
    return photos


class AfterSalesBackend(abc.ABC):
    """Changes to an order after it was placed. Unknown order: AfterSalesRejected("unknown_order")."""

    @abc.abstractmethod
    def request_return(self, order_id: str, sku_ids: List[str], reason: str, condition: str) -> ReturnRequest:
        """Ask to send ``sku_ids`` back (kind "return"); the order becomes "return_requested".

        Only for a delivered order, for SKUs it contains that no open return
        or exchange covers yet. ``condition`` is the state of the goods as
        the shopper describes it (未拆封, 已拆封 …).
        """

    @abc.abstractmethod
    def request_exchange(self, order_id: str, sku_id: str, new_sku_id: str, reason: str) -> ReturnRequest:
        """Ask to swap ``sku_id`` for ``new_sku_id`` (same product, another colour or size).

        One unit of the new SKU is reserved at once, so that two shoppers
        cannot both be promised the last one.
        """

    @abc.abstractmethod
    def cancel_order(self, order_id: str, reason: str) -> Order:
        """Cancel an unpaid or paid (not yet shipped) order; a paid one is refunded in full."""

    @abc.abstractmethod
    def change_address(self, order_id: str, recipient: Recipient) -> Order:
        """Send a not yet shipped order to ``recipient`` instead."""

    @abc.abstractmethod
    def report_problem(
        self, order_id: str, sku_id: Optional[str], kind: str, description: str, resolution: str,
        photo_ids: Sequence[str] = (),
    ) -> ProblemReport:
        """Record a problem with a shipped order (``sku_id`` None: the order as a whole).

        Resolution "refund" also opens a refund-only request and a refund of
        the item's subtotal (of the goods amount without ``sku_id``).
        ``photo_ids`` are the shopper's photos of it (at most
        MAX_PROBLEM_PHOTOS, each an id matching PHOTO_ID; a repeat counts once),
        kept with the report in the order given.
        """

    @abc.abstractmethod
    def problem_reports(self, order_id: str) -> Optional[List[ProblemReport]]:
        """The order's problem reports, oldest first; None for an unknown order."""
