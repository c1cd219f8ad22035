"""What each marketplace's ids look like in a buyer's message (docs/channels/platforms.md: per-platform
mapping): order numbers and product links, read from the text so that the bridge can hand them to the
assistant in the message's metadata (``platform.order_ids``, ``platform.item_ids``).

The formats, as the platforms show them to buyers:

* Taobao / Tmall: order numbers of 18 or 19 digits (older orders 16-17); items
  ``item.taobao.com/item.htm?id=…``, ``detail.tmall.com/item.htm?id=…``, ``h5.m.taobao.com/…?id=…``.
* JD: order numbers of 12 or 13 digits (older ones had 10-11 digits: indistinguishable from a phone
  number or a plain number, so not recognised); items ``item.jd.com/<id>.html``,
  ``item.m.jd.com/product/<id>.html``.
* Pinduoduo: order numbers ``YYMMDD-`` followed by 15 digits (``241111-123456789012345``); items
  ``mobile.yangkeduo.com/goods.html?goods_id=…`` (also ``goods1.html``, ``goods2.html``).
* Douyin shop: order numbers of 19 digits; items ``haohuo.jinritemai.com/…?id=…``.

The NLU's own ``order_id`` regex (data/nlu/regex.yml, 13-19 digits) still runs on the text; the mapping
adds what it cannot know: which platform's format it is, JD's 12-digit numbers, PDD's dashed ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Pattern, Tuple

_NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER = r"(?<![0-9])", r"(?![0-9])"


def _digits(lengths: str) -> Pattern[str]:
    return re.compile(f"{_NOT_DIGIT_BEFORE}[0-9]{{{lengths}}}{_NOT_DIGIT_AFTER}")


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
        _digits("16,19"),
        (re.compile(r"(?:item\.taobao\.com|detail\.tmall\.com|detail\.tmall\.hk|h5\.m\.taobao\.com|"
                    r"detail\.m\.tmall\.com)/[^\s?#]*\?(?:[^\s#]*&)?id=([0-9]{4,20})", re.I),),
    ),
    "jd": PlatformFormat(
        "jd",
        _digits("12,13"),
        (re.compile(r"item(?:\.m)?\.jd\.com/(?:product/)?([0-9]{4,20})\.html", re.I),),
    ),
    "pdd": PlatformFormat(
        "pdd",
        re.compile(f"{_NOT_DIGIT_BEFORE}[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-[0-9]{{15}}"
                   f"{_NOT_DIGIT_AFTER}"),
        (re.compile(r"yangkeduo\.com/goods[0-9]?\.html\?(?:[^\s#]*&)?goods_id=([0-9]{4,20})", re.I),),
    ),
    "douyin": PlatformFormat(
        "douyin",
        _digits("19"),
        (re.compile(r"jinritemai\.com/[^\s?#]*\?(?:[^\s#]*&)?id=([0-9]{4,20})", re.I),),
    ),
}


def platform_format(name: str) -> PlatformFormat:
    """The platform's format; a platform configured without one (PLATFORM_BRIDGE_PLATFORMS) still gets
    the generic shapes: 12-19 digit order numbers and no product links."""
    return FORMATS.get(name) or PlatformFormat(name, _digits("12,19"), ())
