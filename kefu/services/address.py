"""A new shipping address as a shopper types it, split into its parts: "浙江省杭州市西湖区文三路100号
王五 13700001111" -> province 浙江, city 杭州, address 西湖区文三路100号, name 王五, phone 13700001111
(name and phone are optional: a shopper who only moves the parcel keeps the old recipient)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from kefu.storage.geography import CITIES, PROVINCES

_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_SEPARATORS = re.compile(r"[\s,，;；、]+")
# A recipient's name: 2-4 Chinese characters standing on their own.
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_ADDRESS_HINTS = ("区", "县", "镇", "路", "街", "号", "村", "栋", "室", "楼", "弄", "巷", "小区")
# Words before the address itself: "新地址：…", "改成…".
_LEAD_INS = ("收货地址", "新地址", "地址", "改成", "改到", "改为", "换成", "是", ":", "：")
# What follows a city's name when the shopper writes it in full (杭州市).
_CITY_SUFFIX = "市"


@dataclass(frozen=True)
class NewAddress:
    province: str
    city: str
    address: str  # district, street, building
    name: Optional[str] = None
    phone: Optional[str] = None


def _strip(prefix_source: str, names) -> Optional[tuple]:
    """(name, rest) for the longest name the text starts with, with 省/市 after it."""
    for name in sorted(names, key=len, reverse=True):
        if prefix_source.startswith(name):
            return name, prefix_source[len(name):]
    return None


def parse_address(text: Optional[str]) -> Optional[NewAddress]:
    """The parts of an address, or None when no known province or city starts it."""
    if not text:
        return None
    phone_match = _MOBILE.search(text)
    phone = phone_match.group() if phone_match else None
    remainder = _MOBILE.sub(" ", text)
    name, place_parts = None, []
    for part in _SEPARATORS.split(remainder.strip()):
        if not part:
            continue
        if name is None and _NAME.match(part) and not any(h in part for h in _ADDRESS_HINTS) \
                and _strip(part, CITIES) is None and _strip(part, [p.name for p in PROVINCES]) is None:
            name = part
        else:
            place_parts.append(part)
    place = "".join(place_parts)
    for lead_in in _LEAD_INS:
        if place.startswith(lead_in):
            place = place[len(lead_in):]
    province_names = {p.full_name: p.name for p in PROVINCES}
    province_names.update({p.name: p.name for p in PROVINCES})
    matched = _strip(place, province_names)
    province = province_names[matched[0]] if matched else None
    rest = matched[1] if matched else place
    city_match = _strip(rest, CITIES)
    if city_match is not None:
        city, rest = city_match
        province = province or CITIES[city]
        if CITIES[city] != province:
            return None
    elif province is not None:
        # A municipality (上海) or a city we do not list: the province stands for it.
        city = province
    else:
        return None
    rest = rest.lstrip(_CITY_SUFFIX)
    if len(rest) < 4:
        # Without a district and street nobody can deliver it.
        return None
    return NewAddress(province=province, city=city, address=rest, name=name, phone=phone)
