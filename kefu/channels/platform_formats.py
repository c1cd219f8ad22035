"""What each marketplace's ids look like in a buyer's message (docs/channels/platforms.md: per-platform
mapping): order numbers and product links, read from the text so that the bridge can hand them to the
assistant in the message's metadata (``platform.order_ids``, ``platform.item_ids``).

Order numbers: their shapes per platform are kefu/services/platform_orders.py's (the actions recognise them
there too). Product links, as the platforms show them to buyers:

* Taobao / Tmall: ``item.taobao.com/item.htm?id=…``, ``detail.tmall.com/item.htm?id=…``, ``h5.m.taobao.com/…?id=…``.
* JD: ``item.jd.com/<id>.html``, ``item.m.jd.com/product/<id>.html``.
* Pinduoduo: ``mobile.yangkeduo.com/goods.html?goods_id=…`` (also ``goods1.html``, ``goods2.html``).
* Douyin shop: ``haohuo.jinritemai.com/…?id=…``.

The NLU's own ``order_id`` regex (data/nlu/regex.yml, 13-19 digits) still runs on the text; the mapping
adds what it cannot know: which platform's format it is, JD's 12-digit numbers, PDD's dashed ones. The
actions take the number the bridge read when the NLU found none, or only a part of one
(kefu/services/platform_orders.py, ``platform_order_number``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Pattern, Tuple

from kefu.services.platform_orders import order_number_pattern


@dataclass(frozen=True)
class PlatformFormat:
    name: str
    order_number: Pattern[str]
    item_links: Tuple[Pattern[str], ...]  # group 1 is the item id

    def order_ids(self, text: str) -> List[str]:
        """Order numbers in the text, links left out (an item id is no order number)."""
        return _unique(match.group(0) for match in self.order_number.finditer(_LINK.sub(" ", text or "")))

    def item_ids(self, text: str) -> List[str]:
        return _unique(match.group(1) for link in self.item_links for match in link.finditer(text or ""))


# A link, with or without its scheme: anything from a host name with a dot up to the next blank.
_LINK = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*", re.I)


def _unique(values) -> List[str]:
    return list(dict.fromkeys(values))


FORMATS: Dict[str, PlatformFormat] = {
    "taobao": PlatformFormat(
        "taobao",
        order_number_pattern("taobao"),
        (re.compile(r"(?:item\.taobao\.com|detail\.tmall\.com|detail\.tmall\.hk|h5\.m\.taobao\.com|"
                    r"detail\.m\.tmall\.com)/[^\s?#]*\?(?:[^\s#]*&)?id=([0-9]{4,20})", re.I),),
    ),
    "jd": PlatformFormat(
        "jd",
        order_number_pattern("jd"),
        (re.compile(r"item(?:\.m)?\.jd\.com/(?:product/)?([0-9]{4,20})\.html", re.I),),
    ),
    "pdd": PlatformFormat(
        "pdd",
        order_number_pattern("pdd"),
        (re.compile(r"yangkeduo\.com/goods[0-9]?\.html\?(?:[^\s#]*&)?goods_id=([0-9]{4,20})", re.I),),
    ),
    "douyin": PlatformFormat(
        "douyin",
        order_number_pattern("douyin"),
        (re.compile(r"jinritemai\.com/[^\s?#]*\?(?:[^\s#]*&)?id=([0-9]{4,20})", re.I),),
    ),
}


def platform_format(name: str) -> PlatformFormat:
    """The platform's format; a platform configured without one (PLATFORM_BRIDGE_PLATFORMS) still gets
    the generic shapes: 12-19 digit order numbers and no product links."""
    return FORMATS.get(name) or PlatformFormat(name, order_number_pattern(name), ())
