"""The change in the shop's systems that carries out an after-sales task: one write to
the after-sales backend per task, with the form's answers read into the arguments
it takes. The shop's refusal (``AfterSalesRejected``) reaches the caller unchanged;
the calls block, so run them off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence, Union

from kefu import names
from kefu.backends.after_sales import AfterSalesBackend, AfterSalesRejected, ProblemReport
from kefu.backends.catalogue import CatalogueBackend
from kefu.backends.orders import Order, Recipient, ReturnRequest
from kefu.services import after_sales as tasks
from kefu.services.address import parse_address
from kefu.services.return_policy import catalogue_exclusions, return_route
from kefu.storage.phrases import plain_phrase

# What the record says when the shopper gave no condition or choice (no reason: phrase return_reason_none).
DEFAULT_ITEM_CONDITION = "unopened"
DEFAULT_RESOLUTION = "agent"


@dataclass(frozen=True)
class ChangeMade:
    record: Union[ReturnRequest, Order, ProblemReport]  # what the shop recorded
    order_status: str  # the order's status to keep in the conversation


class AfterSalesChanges:
    def __init__(self, after_sales: AfterSalesBackend, catalogue: CatalogueBackend) -> None:
        self._shop = after_sales
        self._catalogue = catalogue

    def carry_out(self, task: str, order: Order, answers: Mapping[str, Any], now: datetime,
                  photo_ids: Sequence[str] = ()) -> ChangeMade:
        """Makes the change the task asks for; AfterSalesRejected when the shop (or this check) refuses it.

        ``photo_ids`` (the shopper's photos of the problem) go with a problem report; other tasks have none.
        """
        record = self._change(task, order, answers, now, photo_ids)
        status = record.status if isinstance(record, Order) else None
        return ChangeMade(record, status or order.status)

    def _change(self, task: str, order: Order, answers: Mapping[str, Any], now: datetime, photo_ids: Sequence[str]):
        # What goes into the shop's records is read by its staff: plain phrases, not in the persona.
        chosen = [item.sku_id for item in tasks.chosen_items(order, answers.get(names.RETURN_ITEMS_SLOT))]
        if task == tasks.RETURN:
            route = return_route(order, now, catalogue_exclusions(self._catalogue))
            returnable = {item.sku_id for item in route.returnable_items}
            skus = [sku for sku in chosen if sku in returnable]
            if not skus:
                raise AfterSalesRejected("item_not_in_order", "nothing returnable was chosen")
            return self._shop.request_return(
                order.order_id, skus, answers.get(names.RETURN_REASON_SLOT) or plain_phrase("return_reason_none"),
                answers.get(names.ITEM_CONDITION_SLOT) or DEFAULT_ITEM_CONDITION,
            )
        if task == tasks.EXCHANGE:
            return self._shop.request_exchange(
                order.order_id, chosen[0], answers[names.EXCHANGE_SKU_ID_SLOT],
                plain_phrase("record_exchange_reason", variant=answers.get(names.EXCHANGE_VARIANT_SLOT)),
            )
        if task == tasks.CANCEL:
            return self._shop.cancel_order(order.order_id, plain_phrase("record_cancel_reason"))
        if task == tasks.CHANGE_ADDRESS:
            return self._shop.change_address(order.order_id, new_recipient(order, answers.get(names.NEW_ADDRESS_SLOT)))
        if task == tasks.PROBLEM:
            kind = answers[names.PROBLEM_KIND_SLOT]
            return self._shop.report_problem(
                order.order_id, chosen[0] if len(chosen) == 1 else None, kind,
                answers.get(names.PROBLEM_DESCRIPTION_SLOT) or str(tasks.problem_kind_label(kind) or kind),
                answers.get(names.PROBLEM_RESOLUTION_SLOT) or DEFAULT_RESOLUTION,
                photo_ids,
            )
        raise AfterSalesRejected("invalid_request", f"unknown task {task!r}")


def new_recipient(order: Order, new_address: Optional[str]) -> Recipient:
    """The order's recipient at the new address; a name or phone typed with it replaces the old one."""
    address = parse_address(new_address)
    return Recipient(
        name=address.name or order.recipient.name,
        phone=address.phone or order.recipient.phone,
        province=address.province,
        city=address.city,
        address=address.address,
    )
