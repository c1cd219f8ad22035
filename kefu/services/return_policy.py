"""What a shopper can do about an order they no longer want, given its state: the return route
(docs/after_sales.md), decided from the order alone so that the explanation and the return form agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, List, Optional

from kefu.backends.catalogue import CatalogueBackend
from kefu.backends.orders import Order, OrderItem
from kefu.storage.phrases import Phrase

# The route names are also the reply template names (return_route_<route>).
NO_REASON_RETURN = "no_reason_return"
WINDOW_CLOSED = "window_closed"
INTERCEPT = "intercept"
CANCEL_INSTEAD = "cancel_instead"
ALREADY_REQUESTED = "already_requested"
NOT_RETURNABLE = "not_returnable"

_ON_THE_ROAD = ("shipped", "in_transit")
_NOT_YET_SHIPPED = ("unpaid", "paid")
_OPEN_REQUEST_STATUSES = ("requested", "approved")

# product_id -> why it cannot go back without a reason (None: it can).
ExclusionLookup = Callable[[str], Optional[str]]
# The catalogue attribute that names why (on the cosmetics, for instance).
EXCLUSION_ATTRIBUTE = "return_policy"


@dataclass(frozen=True)
class ReturnRoute:
    route: str
    deadline: Optional[datetime] = None
    returnable_items: List[OrderItem] = field(default_factory=list)
    # (item, why) for items the no-reason rule does not cover.
    excluded_items: List[tuple] = field(default_factory=list)

    @property
    def can_request_return(self) -> bool:
        return self.route == NO_REASON_RETURN and bool(self.returnable_items)


def time_left_text(deadline: datetime, now: datetime) -> str:
    """还剩2天5小时 / 还剩3小时: how long the window stays open."""
    left = max(deadline - now, timedelta(0))
    days, hours = left.days, left.seconds // 3600
    if days and hours:
        return Phrase("time_left_days_hours", days=days, hours=hours)
    if days:
        return Phrase("time_left_days", days=days)
    return Phrase("time_left_hours", hours=max(hours, 1))


def catalogue_exclusions(catalogue: CatalogueBackend) -> ExclusionLookup:
    """The exclusions the catalogue records (each call reads the product: run it off the event loop)."""

    def exclusion_of(product_id: str) -> Optional[str]:
        product = catalogue.get_product(product_id)
        return product.attribute(EXCLUSION_ATTRIBUTE) if product is not None else None

    return exclusion_of


def return_route(order: Order, now: datetime, exclusion_of: ExclusionLookup) -> ReturnRoute:
    if order.status in _NOT_YET_SHIPPED:
        return ReturnRoute(CANCEL_INSTEAD)
    if order.status in _ON_THE_ROAD:
        return ReturnRoute(INTERCEPT)
    if order.status == "return_requested" or any(r.status in _OPEN_REQUEST_STATUSES for r in order.returns):
        return ReturnRoute(ALREADY_REQUESTED)
    if order.status != "delivered":
        return ReturnRoute(NOT_RETURNABLE)
    if not order.is_within_return_window(now):
        return ReturnRoute(WINDOW_CLOSED, deadline=order.return_deadline)
    returnable, excluded = [], []
    for item in order.items:
        why = exclusion_of(item.product_id)
        if why:
            excluded.append((item, why))
        else:
            returnable.append(item)
    return ReturnRoute(NO_REASON_RETURN, order.return_deadline, returnable, excluded)
