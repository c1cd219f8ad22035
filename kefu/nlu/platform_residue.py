"""Blanks platform residue around a shopper's question, keeping every offset.

Messages from shop platforms arrive wrapped in things the shopper did not
type as a question: a pasted order card (咨询订单号:… 商品ID:… / 订单编号:[…],
订单金额:…, 下单时间:…), a menu label (售后咨询, 请选择咨询订单), product
links of every platform, or the same question pasted twice. The classifier
learnt questions, so the residue is replaced by spaces of the same length:
annotated spans and extracted entity offsets stay right, the order number in
a card stays where it was (it is an entity), and what the residue said is
kept on the side (:class:`Residue`) for the actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from kefu.nlu.entity_shapes import has_order_id_shape

BLANK = " "

# Our own product ids (P1001) in links and cards; the actions look them up.
PRODUCT_ID = re.compile(r"(?<![A-Za-z0-9])(P\d{4})(?!\d)")
# A foreign link keeps a one-word hint that a link was there: "链接 这两款有
# 什么区别" still reads as a comparison of linked products.
LINK_WORD = "链接"

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_LINK = re.compile(
    rf"(?:https?://|www\.){_URL_CHARS}+"
    rf"|(?<![A-Za-z0-9.@])(?:[A-Za-z0-9-]+\.)+(?:com|cn|hk|net|example)(?![A-Za-z0-9])(?:/{_URL_CHARS}*)?",
    re.IGNORECASE,
)
# Host suffix -> platform name (the names metadata channels use where one exists).
PLATFORM_HOSTS: Tuple[Tuple[str, str], ...] = (
    ("jd.com", "jd"), ("jd.hk", "jd"), ("3.cn", "jd"),
    ("tmall.com", "tmall"), ("tmall.hk", "tmall"),
    ("taobao.com", "taobao"), ("tb.cn", "taobao"),
    ("yangkeduo.com", "pdd"), ("pinduoduo.com", "pdd"),
    ("jinritemai.com", "douyin"), ("douyin.com", "douyin"),
    ("shop.example", "shop"),
)
_FOREIGN_ITEM_ID = re.compile(r"(?:[?&](?:id|goods_id|item_id)=|/)(\d{5,})(?:\.html|[&#]|$)")

_SEPARATOR = r"[\s,，;；|]*"
_OPEN, _CLOSE = r"[\[【(（]?\s*", r"\s*[\]】)）]?"
# Order-card fields by what their value is: kept (an order number, a
# product's name) or blanked (amounts, times, platform item numbers).
_CARD_FIELDS = [
    ("order", r"咨询订单号|订单编号", rf"{_OPEN}(\d+){_CLOSE}{_SEPARATOR}"),
    ("product", r"商品ID|商品编号|商品id", rf"{_OPEN}([A-Za-z]?\d+){_CLOSE}{_SEPARATOR}"),
    ("amount", r"订单金额|实付金额|支付金额", rf"{_OPEN}[¥￥]?\s*\d+(?:\.\d+)?\s*元?{_CLOSE}{_SEPARATOR}"),
    (
        "time",
        r"下单时间|创建时间|付款时间",
        rf"{_OPEN}\d{{4}}[-/.年]\d{{1,2}}[-/.月]\d{{1,2}}日?(?:\s*\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?{_CLOSE}{_SEPARATOR}",
    ),
    ("name", r"商品名称", ""),
]
_CARD = re.compile(
    "|".join(
        rf"(?P<{kind}>(?:{labels})\s*[:：]\s*){value}"
        for kind, labels, value in _CARD_FIELDS
    )
)

# Menu label -> the topic word kept as a hint (None: nothing worth keeping).
# The topic is the label's first characters, so it stays where it was typed.
MENU_TOPICS: Dict[str, Optional[str]] = {
    "请选择咨询订单": None,
    "请选择要咨询的订单": None,
    "请选择您要咨询的订单": None,
    "订单业务咨询": "订单",
    "商品信息咨询": "商品",
    "发票类咨询": "发票",
    "发票咨询": "发票",
    "售后服务咨询": "售后",
    "售后咨询": "售后",
    "物流配送咨询": "物流",
    "物流咨询": "物流",
    "配送咨询": "配送",
    "售前咨询": "售前",
    "退换货咨询": "退换货",
    "退款咨询": "退款",
    "支付咨询": "支付",
    "价保咨询": "价保",
    "优惠活动咨询": "优惠",
    "活动咨询": "活动",
    "其他问题咨询": None,
}
# A label starts a line or follows punctuation or another label ("订单业务咨询
# 请选择咨询订单"); 我想售后咨询一下 is the shopper's own sentence.
_MENU = re.compile(
    r"(?:(?<![\u4e00-\u9fff])|(?<=咨询)|(?<=订单))[\[【]?(" + "|".join(sorted(map(re.escape, MENU_TOPICS), key=len, reverse=True)) + r")[\]】]?"
)
_NOT_WORDS = re.compile(r"[\s\[\]【】:：,，.。!！?？~～]+")

# A question pasted twice: a repeated block of at least this many characters
# (separators ignored) holding at least two Chinese characters. Shorter
# repeats (好的好的, 快点快点) are how people talk, not pasting.
MIN_REPEAT = 4
# Beyond this many characters a message is a pasted document; the repeat
# search (quadratic) is skipped.
MAX_REPEAT_SEARCH = 400
_REPEAT_SEPARATOR = re.compile(r"[\s,，。.!！?？~～;；、]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Residue:
    """What the blanked residue said, for the actions."""

    menu_topic: Optional[str] = None
    platforms: List[str] = field(default_factory=list)
    product_ids: List[str] = field(default_factory=list)
    platform_item_ids: List[str] = field(default_factory=list)
    order_card: bool = False
    repeated: bool = False

    def as_dict(self) -> Dict[str, Any]:
        """Only what was found; empty when the message had no residue."""
        return {key: value for key, value in self.__dict__.items() if value}


def reduce_residue(text: str) -> Tuple[str, Residue]:
    """The text with residue blanked (same length), and what the residue said."""
    residue = Residue()
    chars = list(text)
    _reduce_links(text, chars, residue)
    _reduce_order_card("".join(chars), chars, residue)
    _reduce_menu_labels("".join(chars), chars, residue)
    _reduce_repeats(chars, residue)
    return "".join(chars), residue


def entities_outside_residue(original: str, reduced: str, entities: List[dict]) -> List[dict]:
    """The entity annotations that do not cover text blanked as residue.

    A training example may annotate both copies of a question pasted twice,
    or a number in an order card that is not an order number; the message
    the model learns from holds only blanks there.
    """
    def blanked(entity: dict) -> bool:
        end = min(entity["end"], len(reduced))
        return any(reduced[i] == BLANK != original[i] for i in range(entity["start"], end))

    return [entity for entity in entities if not blanked(entity)]


def _blank(chars: List[str], start: int, end: int, keep: Tuple[Tuple[int, int], ...] = ()) -> None:
    for position in range(start, end):
        if not any(kept_start <= position < kept_end for kept_start, kept_end in keep):
            chars[position] = BLANK


def _platform(link: str) -> Optional[str]:
    host = re.sub(r"^(?:https?://)?", "", link, flags=re.IGNORECASE).split("/")[0].split("?")[0].lower()
    for suffix, platform in PLATFORM_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return platform
    return None


def _add(values: List[str], value: str) -> None:
    if value not in values:
        values.append(value)


def _reduce_links(text: str, chars: List[str], residue: Residue) -> None:
    for match in _LINK.finditer(text):
        link, start = match.group(0), match.start()
        platform = _platform(link)
        if platform:
            _add(residue.platforms, platform)
        product = PRODUCT_ID.search(link)
        if product:
            # Our product id stays where it was typed; the URL around it goes.
            _add(residue.product_ids, product.group(1))
            kept = (start + product.start(1), start + product.end(1))
            _blank(chars, match.start(), match.end(), keep=(kept,))
            continue
        item = _FOREIGN_ITEM_ID.search(link)
        if item:
            _add(residue.platform_item_ids, item.group(1))
        _blank(chars, match.start(), match.end())
        if len(link) >= len(LINK_WORD):
            chars[start : start + len(LINK_WORD)] = list(LINK_WORD)


def _reduce_order_card(text: str, chars: List[str], residue: Residue) -> None:
    for match in _CARD.finditer(text):
        residue.order_card = True
        kind = next(kind for kind, _, _ in _CARD_FIELDS if match.group(kind) is not None)
        if kind == "name":
            # The product's name is context; only its label goes.
            _blank(chars, match.start(), match.end(kind))
            continue
        keep: Tuple[Tuple[int, int], ...] = ()
        value_group = match.re.groupindex[kind] + 1
        if kind in ("order", "product"):
            value = match.group(value_group)
            # Only a number of the order-id shape stays (咨询订单号:3 is no
            # order), and only our own product ids (商品ID:3 is the platform's).
            if kind == "order" and has_order_id_shape(value):
                keep = (match.span(value_group),)
            elif kind == "product" and PRODUCT_ID.fullmatch(value):
                _add(residue.product_ids, value)
                keep = (match.span(value_group),)
        _blank(chars, match.start(), match.end(), keep=keep)


def _reduce_menu_labels(text: str, chars: List[str], residue: Residue) -> None:
    labels = list(_MENU.finditer(text))
    for match in labels:
        topic = MENU_TOPICS[match.group(1)]
        if topic and not residue.menu_topic:
            residue.menu_topic = topic
    # A label that is the whole message is what the shopper chose to say.
    if len(labels) == 1 and not _NOT_WORDS.sub("", text).replace(labels[0].group(1), "", 1):
        return
    for match in labels:
        topic = MENU_TOPICS[match.group(1)]
        keep = ((match.start(1), match.start(1) + len(topic)),) if topic else ()
        _blank(chars, match.start(), match.end(), keep=keep)


def _reduce_repeats(chars: List[str], residue: Residue) -> None:
    if len(chars) > MAX_REPEAT_SEARCH:
        return
    positions = [i for i, char in enumerate(chars) if not _REPEAT_SEPARATOR.match(char)]
    core = "".join(chars[i] for i in positions)
    for length in range(len(core) // 2, MIN_REPEAT - 1, -1):
        for first in range(len(core) - 2 * length + 1):
            block = core[first : first + length]
            if block == core[first + length : first + 2 * length] and len(_CJK.findall(block)) >= 2:
                # The second copy goes, with the separators that led into it.
                start = positions[first + length - 1] + 1
                end = positions[first + 2 * length - 1] + 1
                _blank(chars, start, end)
                residue.repeated = True
                return
