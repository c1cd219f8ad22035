"""The JSON bodies of the after-sales calls, as dataclasses the HTTP backends
encode and the reference server decodes, so both follow one definition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from kefu.backends.after_sales import AfterSalesBackend, ProblemReport
from kefu.backends.orders import Order, Recipient, ReturnRequest


@dataclass(frozen=True)
class ReturnApplication:
    sku_ids: List[str]
    reason: str
    condition: str

    def apply_to(self, shop: AfterSalesBackend, order_id: str) -> ReturnRequest:
        return shop.request_return(order_id, self.sku_ids, self.reason, self.condition)


@dataclass(frozen=True)
class ExchangeApplication:
    sku_id: str
    new_sku_id: str
    reason: str

    def apply_to(self, shop: AfterSalesBackend, order_id: str) -> ReturnRequest:
        return shop.request_exchange(order_id, self.sku_id, self.new_sku_id, self.reason)


@dataclass(frozen=True)
class CancellationApplication:
    reason: str

    def apply_to(self, shop: AfterSalesBackend, order_id: str) -> Order:
        return shop.cancel_order(order_id, self.reason)


@dataclass(frozen=True)
class AddressChange(Recipient):
    """The new recipient, exactly a :class:`Recipient` on the wire."""

    def apply_to(self, shop: AfterSalesBackend, order_id: str) -> Order:
        return shop.change_address(order_id, self)


@dataclass(frozen=True)
class ProblemApplication:
    sku_id: Optional[str]  # None: the order as a whole
    kind: str
    description: str
    resolution: str
    # The shopper's photos (ids in the assistant's photo store); a client that sends none may leave it out.
    photo_ids: Tuple[str, ...] = ()

    def apply_to(self, shop: AfterSalesBackend, order_id: str) -> ProblemReport:
        return shop.report_problem(order_id, self.sku_id, self.kind, self.description, self.resolution,
                                   self.photo_ids)
