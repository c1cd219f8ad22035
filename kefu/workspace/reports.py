"""The problem reports of the order a case is about, as the agent reads them: what was reported, what it
waits for, and the shopper's photos as links signed for the agent (``kefu.security.photo_links``, as the
web chat's case lines are), so that whoever handles a report opens its photos from the case
(docs/channels/webchat.md: photos).

Read from the shop the actions write to (SHOP_BACKEND) each time the agent asks, so a link is always
fresh (they expire after a week) and a report made after the case opened is there too. A shop that
cannot answer leaves the list empty, says so, and never the case page."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional

from kefu.backends.after_sales import AfterSalesBackend, ProblemReport
from kefu.backends.errors import BackendFailure
from kefu.backends.factory import backends_from_env
from kefu.handoff.case_store import Case
from kefu.names import ORDER_ID_SLOT
from kefu.security.photo_links import PhotoLinks
from kefu.services.after_sales import problem_kind_label
from kefu.storage.clock import in_shop_time
from kefu.storage.phrases import plain_phrase

logger = logging.getLogger(__name__)


def report_json(report: ProblemReport, links: PhotoLinks) -> Dict[str, Any]:
    return {
        "report_id": report.report_id,
        "sku_id": report.sku_id,
        "kind": report.kind,
        "kind_label": str(problem_kind_label(report.kind) or report.kind),
        "description": report.description,
        "status": report.status,
        "status_label": plain_phrase(f"problem_status_{report.status}"),
        "created_at": in_shop_time(report.created_at).isoformat(),
        "photos": [links.link(photo_id) for photo_id in report.photo_ids],
    }


class CaseReports:
    """The problem reports an agent sees in a case (blocking: run it in a worker thread)."""

    def __init__(self, after_sales: Callable[[], AfterSalesBackend], links: PhotoLinks) -> None:
        self._after_sales = after_sales  # called on use: building the backends may be what fails
        self._links = links

    def of(self, case: Case) -> Dict[str, Any]:
        """``{"order_id", "reports": [...], "unavailable"}`` for the order in the case's slots."""
        order_id: Optional[str] = (case.slots or {}).get(ORDER_ID_SLOT)
        reports: List[ProblemReport] = []
        unavailable = False
        if order_id:
            try:
                reports = self._after_sales().problem_reports(order_id) or []
            except BackendFailure as failure:
                logger.warning("the problem reports of order %s (case %s) could not be read: %s",
                               order_id, case.id, failure)
                unavailable = True
        return {"order_id": order_id, "reports": [report_json(report, self._links) for report in reports],
                "unavailable": unavailable}


@lru_cache(maxsize=1)
def shop_after_sales() -> AfterSalesBackend:
    """The after-sales backend of this process, as the actions have it (built once)."""
    return backends_from_env().after_sales
