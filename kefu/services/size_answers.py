"""Size advice for the product in question, from the merchant's size charts."""

from __future__ import annotations

from typing import Dict, Optional

from kefu.backends.catalogue import Product
from kefu.knowledge.size_advice import NEED_MORE, OUT_OF_CHART, advise_size_for_text
from kefu.knowledge.size_charts import SizeChartBook


def size_reply(book: SizeChartBook, product: Product, text: str, height: Optional[str], weight: Optional[str]) -> Dict:
    """The template and values that answer "170/130斤穿多大" for this product."""
    chart = book.chart_for(product.product_id)
    if chart is None:
        return {"template": "size_no_chart", "product": product.name}
    # The NLU's entities may stand apart from the numbers in the text ("一米七 一百三"): both are read.
    said = " ".join(part for part in (text, height, weight) if part)
    advice = advise_size_for_text(chart, said)
    template = {OUT_OF_CHART: "size_out_of_chart", NEED_MORE: "size_need_more"}.get(advice.status, "size_advice")
    return {"template": template, "product": product.name, "advice": advice.text}
