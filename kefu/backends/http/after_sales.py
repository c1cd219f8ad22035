"""After-sales changes over the shop's REST API; a refusal (409 or 422 with
its code) is raised as ``AfterSalesRejected``."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Type, TypeVar

from kefu.backends.after_sales import AfterSalesBackend, AfterSalesRejected, ProblemReport, check_problem_request
from kefu.backends.http.bodies import (
    CancellationApplication,
    ExchangeApplication,
    ProblemApplication,
    ReturnApplication,
)
from kefu.backends.http.client import ShopApiClient
from kefu.backends.orders import Order, Recipient, ReturnRequest
from kefu.backends.wire import to_wire

T = TypeVar("T")


class HttpAfterSalesBackend(AfterSalesBackend):
    def __init__(self, api: ShopApiClient) -> None:
        self._api = api

    def request_return(self, order_id: str, sku_ids: List[str], reason: str, condition: str) -> ReturnRequest:
        body = ReturnApplication(sku_ids=list(sku_ids), reason=reason, condition=condition)
        return self._change("POST", ReturnRequest, "/orders/{}/returns", order_id, body)

    def request_exchange(self, order_id: str, sku_id: str, new_sku_id: str, reason: str) -> ReturnRequest:
        body = ExchangeApplication(sku_id=sku_id, new_sku_id=new_sku_id, reason=reason)
        return self._change("POST", ReturnRequest, "/orders/{}/exchanges", order_id, body)

    def cancel_order(self, order_id: str, reason: str) -> Order:
        return self._change("POST", Order, "/orders/{}/cancellation", order_id, CancellationApplication(reason))

    def change_address(self, order_id: str, recipient: Recipient) -> Order:
        return self._change("PUT", Order, "/orders/{}/recipient", order_id, recipient)

    def report_problem(
        self, order_id: str, sku_id: Optional[str], kind: str, description: str, resolution: str,
        photo_ids: Sequence[str] = (),
    ) -> ProblemReport:
        # Checked here as the SQL backend checks it, so that both refuse the same calls the same way.
        photos = check_problem_request(kind, resolution, photo_ids)
        body = ProblemApplication(sku_id=sku_id, kind=kind, description=description, resolution=resolution,
                                  photo_ids=photos)
        return self._change("POST", ProblemReport, "/orders/{}/problems", order_id, body)

    def problem_reports(self, order_id: str) -> Optional[List[ProblemReport]]:
        return self._api.fetch(List[ProblemReport], "/orders/{}/problems", order_id, key="problems")

    def _change(self, method: str, kind: Type[T], path: str, order_id: str, body: Any) -> T:
        result = self._api.send(method, kind, path, order_id, body=to_wire(body))
        if result is None:  # the API's 404: there is no such order to change
            raise AfterSalesRejected("unknown_order", f"no order {order_id}")
        return result
