"""Marketplace order numbers (docs/channels/platforms.md, "Per-platform mapping"): what each platform's look
like, and which one a buyer's message gives.

The platform bridge (kefu/channels/platform_formats.py) reads them from the buyer's text into the message's
metadata (``platform.order_ids``), in the platform's own format. The NLU reads only the shop's shape (13-19
digits, data/nlu/regex.yml) and knows nothing of platforms: it misses JD's 12-digit numbers and takes just the
15-digit tail of Pinduoduo's ``241111-123456789012345``. Which shop order a platform number is, the shop's
orders backend says (``OrderBackend.find_platform_order``).

The formats, as the platforms show them to buyers:

* Taobao / Tmall: 18 or 19 digits (older orders 16-17).
* JD: 12 or 13 digits (older ones had 10-11: indistinguishable from a phone number or a plain number, so
  not recognised).
* Pinduoduo: ``YYMMDD-`` followed by 15 digits (``241111-123456789012345``).
* Douyin shop: 19 digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Pattern

_NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER = r"(?<![0-9])", r"(?![0-9])"


def _digits(lengths: str) -> Pattern[str]:
    return re.compile(f"{_NOT_DIGIT_BEFORE}[0-9]{{{lengths}}}{_NOT_DIGIT_AFTER}")


ORDER_NUMBERS: Dict[str, Pattern[str]] = {
    "taobao": _digits("16,19"),
    "jd": _digits("12,13"),
    "pdd": re.compile(f"{_NOT_DIGIT_BEFORE}[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-[0-9]{{15}}"
                      f"{_NOT_DIGIT_AFTER}"),
    "douyin": _digits("19"),
}
# A platform added by configuration alone (PLATFORM_BRIDGE_PLATFORMS) has no format of its own yet.
GENERIC_ORDER_NUMBER = _digits("12,19")
# Longer than any platform's: a value this long in the metadata is not an order number.
MAX_ORDER_NUMBER_CHARS = 64


def order_number_pattern(platform: str) -> Pattern[str]:
    """How ``platform``'s order numbers look (the generic 12-19 digits for one without a format)."""
    return ORDER_NUMBERS.get(platform, GENERIC_ORDER_NUMBER)


def platform_order_number_in(value: Any) -> Optional[str]:
    """``value`` when it is, whole, an order number in some platform's format (the bridge read it so); else None."""
    text = str(value or "").strip()
    patterns = (*ORDER_NUMBERS.values(), GENERIC_ORDER_NUMBER)
    return text if any(pattern.fullmatch(text) for pattern in patterns) else None


@dataclass(frozen=True)
class PlatformOrderNumber:
    platform: str  # as the bridge names it: taobao, jd, pdd, douyin
    number: str  # as the platform writes it


def platform_order_number(metadata: Mapping[str, Any], nlu_order_id: Optional[str]) -> Optional[PlatformOrderNumber]:
    """The platform order number a message gives, from its metadata (``platform.name``, ``platform.order_ids``)
    and the ``order_id`` the NLU found in it: the platform number the NLU's is (or is a part of: PDD's tail),
    the first the bridge read when the NLU found none. None when the message came through no platform or
    gives no platform number, and when the NLU's number is none of them (then it is the shop's own number:
    a Taobao buyer may well copy the shop's number from a parcel slip)."""
    platform = metadata.get("platform") if isinstance(metadata, Mapping) else None
    if not isinstance(platform, Mapping):
        return None
    name, numbers = platform.get("name"), platform.get("order_ids")
    if not isinstance(name, str) or not name or not isinstance(numbers, list):
        return None
    # The bridge wrote them, but metadata also comes from other channels' callers: only strings of a sane length.
    numbers = [number for number in numbers if isinstance(number, str) and 0 < len(number) <= MAX_ORDER_NUMBER_CHARS]
    if not numbers:
        return None
    if not nlu_order_id:
        return PlatformOrderNumber(name, numbers[0])
    for number in numbers:
        if nlu_order_id in number:
            return PlatformOrderNumber(name, number)
    return None
