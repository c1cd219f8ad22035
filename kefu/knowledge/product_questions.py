"""Reading an open question about a product: is it about a thing that comes
with the product (带充电线吗 asks about the earphones, not about a data cable),
does it compare two products (这两款有什么区别), does it ask for an overview
(介绍一下), and is anything specific left to answer once the product's own
words are set aside. Vocabulary only; the answers are kefu/services/product_answers.py's."""

from __future__ import annotations

from typing import Collection, Optional

from kefu.knowledge.question_match import content_runs

# Things that come with a product, or parts of it, which shoppers ask about by
# name. Some are also products of the catalogue (a data cable is sold on its
# own), which is why 充电线 in "这款耳机带充电线吗" must not become the product.
FEATURE_WORDS = (
    "充电线", "数据线", "音频线", "充电器", "充电头", "充电盒", "电源线", "电池", "线",
    "耳塞套", "耳帽", "耳塞", "表带", "腕带", "挂绳", "收纳包", "收纳袋", "保护套", "手提袋", "礼袋",
    "膜", "贴膜", "钢化膜", "保护膜", "说明书", "保修卡", "合格证",
    "包装盒", "包装", "盒子", "鞋盒", "礼盒", "贺卡", "赠品", "配件",
    "锅盖", "锅铲", "量杯", "饭勺", "蒸笼", "蒸格", "茶隔", "鞋垫", "鞋带", "吸管",
)
# Words that ask whether the product comes with something.
_INCLUDED_CUES = ("带", "送", "配", "附", "含", "赠", "包括", "有没有", "给不给")
# Words that ask how two products differ, or which of them to take.
_COMPARISON_CUES = (
    "区别", "差别", "差异", "有什么不同", "有啥不同", "哪里不同", "有什么不一样", "有啥不一样", "哪里不一样",
    "对比", "比较一下", "比一比", "哪个好", "哪款好", "哪个更", "哪款更", "哪个值", "哪款值", "选哪个", "选哪款",
    "买哪个", "买哪款", "vs", "pk",
)
# Words that point at two products without naming them.
_BOTH = ("这两款", "这两个", "这俩", "两款", "两个", "两者", "二者")
# Words that ask about the product as a whole rather than one point of it.
_OVERVIEW_CUES = (
    "介绍", "怎么样", "咋样", "如何", "详情", "详细", "参数", "规格", "好不好", "好用", "值得买", "值不值", "推荐",
    "卖点", "什么", "啥",
)


def asked_feature(text: str) -> Optional[str]:
    """The thing that comes with a product the question names (the longest: 充电线 before 线), if any."""
    lowered = (text or "").lower()
    found = [word for word in FEATURE_WORDS if word in lowered]
    return max(found, key=len) if found else None


def is_feature_word(word: Optional[str]) -> bool:
    return (word or "").strip() in FEATURE_WORDS


def asks_whether_included(text: str) -> bool:
    return any(cue in (text or "") for cue in _INCLUDED_CUES)


def asks_comparison(text: str) -> bool:
    lowered = (text or "").lower()
    return any(cue in lowered for cue in _COMPARISON_CUES)


def points_at_two(text: str) -> bool:
    return any(word in (text or "") for word in _BOTH)


def asks_something_specific(text: str, product_words: Collection[str]) -> bool:
    """Whether anything is asked once the product's words, fillers and overview words are set aside
    ("这款耳机怎么样" asks for an overview; "孕妇能用吗" asks something specific)."""
    left = "".join(content_runs(text, ignored=(*product_words, *_OVERVIEW_CUES)))
    return len(left) >= 2
