"""What a shopper's message (its text and the NLU's entities) says about the product they want
recommended (``read_refinement``), and the needs it leaves (``refined_needs``); docs/dialogue.md has
the examples."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from kefu import names
from kefu.backends.catalogue import CATEGORIES, CATEGORY_ALIASES, normalise_category
from kefu.knowledge.body_measurements import chinese_number, normalise_size
from kefu.knowledge.recommendation import Needs, Recommendation, cheaper_than, dearer_than, recommend, shopper_history
from kefu.services.product_answers import product_id_in

# --- recipients ---------------------------------------------------------------------------
# The recipient who is the shopper themself: no gift, so the replies do not say "送给…".
MYSELF = "自己"
# What shoppers call the person -> a key of RECIPIENTS. Longest words are tried first.
_RECIPIENT_WORDS: Dict[str, Tuple[str, ...]] = {
    "女朋友": ("女朋友", "女票", "女友", "女盆友", "女神"),
    "男朋友": ("男朋友", "男票", "男友", "男盆友"),
    "老婆": ("老婆", "媳妇", "太太", "爱人"),
    "老公": ("老公",),
    "闺蜜": ("闺蜜", "姐妹", "好姐妹"),
    "女生": ("女生", "女孩", "女同学", "妹子"),
    "男生": ("男生", "男孩", "男同学", "兄弟"),
    "爸妈": ("爸妈", "父母", "爸爸妈妈", "老人", "长辈", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷", "公婆"),
    "妈妈": ("妈妈", "老妈", "我妈", "母亲", "丈母娘", "婆婆", "妈"),
    "爸爸": ("爸爸", "老爸", "我爸", "父亲", "老丈人", "公公", "爸"),
    "孩子": ("孩子", "小孩", "儿子", "女儿", "宝宝", "娃", "闺女", "小朋友"),
    "同事": ("同事",),
    "领导": ("领导", "老板"),
    "老师": ("老师",),
    "客户": ("客户",),
    "朋友": ("朋友", "同学"),
    # Not a bare "自己": "我自己看看" is not a recipient.
    MYSELF: ("自己用", "自用", "给自己", "自己穿", "自己戴", "自己买"),
}

# --- uses ----------------------------------------------------------------------------------
# What shoppers say -> a key of USES.
_USE_WORDS: Dict[str, Tuple[str, ...]] = {
    "跑步": ("跑步", "慢跑", "马拉松"),
    "运动": ("运动", "健身", "锻炼", "打球", "骑行"),
    "通勤": ("通勤", "上下班", "地铁", "公交"),
    "办公": ("办公", "上班", "办公室", "工作用"),
    "约会": ("约会",),
    "出差": ("出差",),
    "旅行": ("旅行", "旅游", "度假", "出去玩"),
    "户外": ("户外", "爬山", "徒步", "登山", "露营"),
    "保暖": ("保暖", "怕冷", "冬天", "暖和"),
    "夏天": ("夏天", "怕热", "夏季", "凉快"),
    "做饭": ("做饭", "炒菜", "下厨", "煲汤"),
    "游戏": ("游戏", "打游戏", "电竞"),
    "护肤": ("护肤", "保湿", "补水", "干皮", "油皮", "敏感肌"),
    "上学": ("上学", "学生", "宿舍", "开学"),
}

# --- kinds of product ------------------------------------------------------------------------
# Words for kinds of product the catalogue's search understands (names and
# search terms), for messages in which the NLU tagged no product or category.
_PRODUCT_WORDS = (
    "蓝牙耳机", "耳机", "音箱", "键盘", "鼠标", "充电宝", "移动电源", "充电器", "数据线", "手表", "手环",
    "T恤", "卫衣", "衬衫", "牛仔裤", "裤子", "短裤", "连衣裙", "裙子", "外套", "大衣", "羽绒服", "睡衣", "开衫", "POLO",
    "跑步鞋", "跑鞋", "运动鞋", "皮鞋", "小白鞋", "帆布鞋", "高跟鞋", "雪地靴", "靴子", "拖鞋", "乐福鞋", "老爹鞋",
    "口红", "面膜", "防晒", "洁面", "洗面奶", "精华", "粉底", "眼影", "睫毛膏", "护手霜", "身体乳", "卸妆", "水乳",
    "炒锅", "汤锅", "炖锅", "锅", "电饭煲", "空气炸锅", "保温杯", "砧板", "菜刀", "餐具", "水壶", "料理机", "保鲜盒",
)
_CATEGORY_WORDS = tuple(
    sorted({*CATEGORIES, *CATEGORY_ALIASES, *_PRODUCT_WORDS}, key=len, reverse=True)
)

# --- colours ---------------------------------------------------------------------------------
# The catalogue's colour names (the values the NLU's synonyms produce). A
# colour is also recognised by its stem: 黑的, 白款, "不要黑".
COLORS = (
    "米白色", "藏青色", "酒红色", "卡其色", "豆沙色", "咖啡色", "黑色", "白色", "红色", "粉色", "蓝色", "灰色", "绿色",
    "黄色", "紫色", "棕色", "橙色", "银色", "金色",
)
_COLOR_ALIASES = {"藏蓝": "藏青色", "深蓝": "藏青色", "米色": "米白色", "粉红": "粉色", "枣红": "酒红色", "军绿": "绿色"}
_COLOR_STEMS = sorted(
    [(color, color) for color in COLORS] + [(color[:-1], color) for color in COLORS] + list(_COLOR_ALIASES.items()),
    key=lambda pair: len(pair[0]), reverse=True,
)
# A one-character stem is a colour only where it reads as one: 白的, 黑色系, 黑款, or at the end.
_ONE_CHARACTER_COLOR_FOLLOWED_BY = "的色系款"
_NEGATIVE_CUES = re.compile(r"不要|不想要|别要|别|不喜欢|讨厌|除了|排除|不考虑|不能是")
_POSITIVE_CUES = re.compile(r"想要|要|喜欢|来个|换成|有没有|有木有|有无|还有|最好是")
_NEGATED_AFTER = re.compile(r"^(?:色|的|系|款)*\s*(?:的)?(?:就)?(?:不要|不行|不好看|不喜欢|算了|pass|PASS|太丑|丑|排除|除外)")
_CLAUSES = re.compile(r"[，,。！!？?；;、\s]+|但是|不过|可是")

# --- budgets ---------------------------------------------------------------------------------
# The units of a number in words: 两三百, 一千五, 2千, 1万.
_HUNDRED, _THOUSAND, _TEN_THOUSAND = "百", "千", "万"
_NUMBER = r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)\s*([kK千万])?"
_UNIT = r"\s*(?:块钱|块|元|rmb|RMB|¥)?\s*"
# Not part of a longer number, nor a size ("42-43码") or a measure ("500ml").
_END = r"(?![\d.零一二两三四五六七八九十百千码号A-Za-z])"
_RANGE = re.compile(_NUMBER + _UNIT + r"(?:到|至|-|~|～|—)" + r"\s*" + _NUMBER + _UNIT + _END)
_TWO_DIGITS = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])(百|千)")
_AT_MOST_BEFORE = re.compile(
    r"(?:不超过|不要超过|别超过|不能超过|最多|顶多|控制在|预算)\s*(?:是|在|大概|差不多|只有)?\s*" + _NUMBER + _UNIT
    + r"(?![\d.零一二两三四五六七八九十百千码号A-Za-z]|以上|起|往上)"
)
_BARE_NUMBER = re.compile(r"(?<![\dA-Za-z])" + _NUMBER + _UNIT + _END)
_AT_MOST_AFTER = re.compile(_NUMBER + _UNIT + r"(?:以内|以下|之内|内|以里|封顶|为止)")
_AT_LEAST = re.compile(_NUMBER + _UNIT + r"(?:以上|往上|起步|起)")
_ABOUT = re.compile(_NUMBER + _UNIT + r"(?:左右|上下|差不多|前后)")
_PRICED = re.compile(_NUMBER + r"\s*(?:块钱|块|元)")
# "300左右" is a budget around 300: from 60 % to 120 % of it.
AROUND_LOW, AROUND_HIGH = Decimal("0.6"), Decimal("1.2")

# --- what the shopper does with what was shown -------------------------------------------------
_CHEAPER = re.compile(r"太贵|贵了|有点贵|好贵|便宜点|便宜些|便宜一点|便宜的|更便宜|再便宜|实惠点|实惠一点|实惠些|划算点|"
                      r"预算不够|超预算|超出预算|买不起|价格低|低一点|低点的")
_DEARER = re.compile(r"太便宜|别太便宜|不要太便宜|贵一点|贵点的|好一点的|档次高|高档|拿得出手|上档次|体面")
_OTHER_COLOR = re.compile(r"换个颜色|换个色|别的颜色|其他颜色|其它颜色|换种颜色|别的色")
_CHANGE = re.compile(r"换一个|换个|换一批|换一些|换几个|换几款|换别的|换一换|别的|其他的|其它的|另外的|再推荐|再来几|"
                     r"还有别的|还有其他|还有没有别|没有别的|再看看别")
_DISLIKE = re.compile(r"不喜欢|不好看|不太喜欢|一般般|不怎么样|都不要|不想要|不行|不太行|没看上|看不上|不满意|不合适")
# Talk about an order already bought ("买的衣服想换个码"): an exchange, not "show me others".
_ORDER_TALK = re.compile(r"换货|换码|换大|换小|换尺码|换成大|换成小|买的|收到的|订单|退换|上次|到货")
_ABANDON = re.compile(r"不用了|不用推荐|算了|不买了|先不买|不需要了|不需要推荐|先这样|我再想想|再想想|考虑一下|自己看看|不看了|不要了")


@dataclass(frozen=True)
class Refinement:
    category: Optional[str] = None
    budget_max: Optional[Decimal] = None
    budget_min: Optional[Decimal] = None
    budget_given: bool = False
    cheaper: bool = False
    dearer: bool = False
    recipient: Optional[str] = None
    colors_wanted: Tuple[str, ...] = ()
    colors_excluded: Tuple[str, ...] = ()
    other_color: bool = False
    size: Optional[str] = None
    uses: Tuple[str, ...] = ()
    reject_shown: bool = False
    abandon: bool = False

    @property
    def says_what_is_wanted(self) -> bool:
        """Whether it names a wish (kind, price, recipient, colour, size, use), beyond turning down what was shown."""
        return any((
            self.category, self.budget_given, self.cheaper, self.dearer, self.recipient, self.colors_wanted,
            self.colors_excluded, self.other_color, self.size, self.uses,
        ))

    @property
    def changes_needs(self) -> bool:
        """Whether it says anything about the products wanted (giving up does not)."""
        return self.says_what_is_wanted or self.reject_shown

    def more_of_the_same(self) -> "Refinement":
        """Asked again for a recommendation while a list is shown ("还有别的推荐吗", 换一批): others than those."""
        return self if self.says_what_is_wanted else replace(self, reject_shown=True)


def read_refinement(
    text: Optional[str], entities: Optional[Mapping[str, Sequence[str]]] = None, expecting_budget: bool = False
) -> Refinement:
    """What one message says about the wanted product.

    ``entities`` maps entity names to the values the NLU found;
    ``expecting_budget``: the message answers the budget question.
    """
    text = (text or "").strip()
    if text.startswith("/"):
        text = ""  # a button's payload: its entities say it all
    entities = entities or {}
    budget = read_budget(text, _first(entities, names.BUDGET_ENTITY), bare_number=expecting_budget)
    wanted, excluded = read_colors(text, entities.get(names.COLOR_ENTITY) or ())
    other_color = bool(_OTHER_COLOR.search(text))
    refinement = Refinement(
        category=read_category(text, _first(entities, names.CATEGORY_ENTITY), _first(entities, names.PRODUCT_ENTITY)),
        budget_max=budget[0] if budget else None,
        budget_min=budget[1] if budget else None,
        budget_given=budget is not None,
        cheaper=budget is None and bool(_CHEAPER.search(text)) and not _DEARER.search(text),
        dearer=budget is None and bool(_DEARER.search(text)),
        recipient=read_recipient(text),
        colors_wanted=wanted,
        colors_excluded=excluded,
        other_color=other_color,
        size=read_size(text, _first(entities, names.SIZE_ENTITY)),
        uses=read_uses(text),
    )
    said_something = refinement.says_what_is_wanted
    # "换一批" turns down what was shown; "不喜欢" does only when it is not about
    # a colour or the price ("不喜欢黑色", "不喜欢，太贵了").
    reject = not other_color and not _ORDER_TALK.search(text) and (
        bool(_CHANGE.search(text)) or (bool(_DISLIKE.search(text)) and not said_something)
    )
    abandon = not said_something and not reject and bool(_ABANDON.search(text))
    return replace(refinement, reject_shown=reject, abandon=abandon)


def _first(entities: Mapping[str, Sequence[str]], name: str) -> Optional[str]:
    values = entities.get(name) or ()
    return str(values[-1]) if values else None


# --- category ------------------------------------------------------------------------------
def read_category(text: str, category: Optional[str] = None, product: Optional[str] = None) -> Optional[str]:
    """The shop category or kind of product the shopper wants: 数码, 蓝牙耳机, 衣服 -> 服装."""
    for value in (category, product):
        # A product id (a button's payload) names one product, not a kind.
        if value and value.strip() and not product_id_in(value):
            return normalise_category(value.strip())
    for word in _CATEGORY_WORDS:
        if word.lower() in text.lower():
            return normalise_category(word)
    return None


def same_kind(one: Optional[str], other: Optional[str]) -> bool:
    """"耳机" and "蓝牙耳机" are the same kind of product."""
    if not one or not other:
        return one == other
    return one in other or other in one


# --- recipient and uses ----------------------------------------------------------------------
def read_recipient(text: str) -> Optional[str]:
    pairs = sorted(
        ((word, key) for key, words in _RECIPIENT_WORDS.items() for word in words),
        key=lambda pair: len(pair[0]), reverse=True,
    )
    for word, key in pairs:
        if word in text:
            return key
    return None


def read_uses(text: str) -> Tuple[str, ...]:
    return tuple(use for use, words in _USE_WORDS.items() if any(word in text for word in words))


# --- size ------------------------------------------------------------------------------------
_LETTER_SIZE = re.compile(r"(?<![A-Za-z0-9])([2-5]XL|X{0,3}S|M|X{0,4}L)\s*(?:码|号|的)?(?![A-Za-z])", re.IGNORECASE)
_NUMBER_SIZE = re.compile(r"(?<!\d)(\d{2,3}(?:\.5)?)\s*(?:码|号)")
_SIZE_WORD = re.compile(r"(?:加加大|加大|特大|小|中|大)(?:码|号)")


def read_size(text: str, size: Optional[str] = None) -> Optional[str]:
    """"要M码", "42码", "加大码", or the NLU's size entity."""
    if size:
        return normalise_size(size) or size
    for pattern in (_SIZE_WORD, _NUMBER_SIZE, _LETTER_SIZE):
        match = pattern.search(text)
        if match:
            return normalise_size(match.group(0))
    return None


# --- colours ---------------------------------------------------------------------------------
def read_colors(text: str, entity_colors: Sequence[str] = ()) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(wanted, excluded): "不要黑色" excludes, "有没有白色的" wants, "黑的不要 白的可以" does both."""
    wanted: List[str] = []
    excluded: List[str] = []
    for clause in _CLAUSES.split(text):
        for color, negated in _colors_in_clause(clause):
            target, other = (excluded, wanted) if negated else (wanted, excluded)
            if color not in target:
                target.append(color)
            if color in other:
                other.remove(color)
    negated_message = bool(_NEGATIVE_CUES.search(text))
    for color in entity_colors:
        if color in wanted or color in excluded:
            continue
        (excluded if negated_message else wanted).append(color)
    return tuple(wanted), tuple(excluded)


def _colors_in_clause(clause: str) -> List[Tuple[str, bool]]:
    found: List[Tuple[int, int, str]] = []
    taken = [False] * len(clause)
    for stem, color in _COLOR_STEMS:
        for match in re.finditer(re.escape(stem), clause):
            start, end = match.span()
            if any(taken[start:end]):
                continue
            if len(stem) == 1 and end < len(clause) and clause[end] not in _ONE_CHARACTER_COLOR_FOLLOWED_BY:
                continue
            taken[start:end] = [True] * (end - start)
            found.append((start, end, color))
    found.sort()
    cues = sorted(
        [(m.start(), m.end(), True) for m in _NEGATIVE_CUES.finditer(clause)]
        + [(m.start(), m.end(), False) for m in _POSITIVE_CUES.finditer(clause)],
    )
    result = []
    for start, end, color in found:
        # The nearest cue before the colour decides ("不要" contains "要": negative cues are matched first).
        negated = False
        covered_until = -1
        for cue_start, cue_end, negative in cues:
            if cue_end > start:
                break
            if cue_start < covered_until:
                continue  # the "要" inside "不要"
            negated, covered_until = negative, cue_end
        if _NEGATED_AFTER.search(clause[end:]):
            negated = True
        result.append((color, negated))
    return result


# --- budget ----------------------------------------------------------------------------------
def read_budget(
    text: str, entity_value: Optional[str] = None, bare_number: bool = False
) -> Optional[Tuple[Optional[Decimal], Optional[Decimal]]]:
    """(at most, at least) in yuan, or None when the message names no budget.

    "300以内" -> (300, None); "500到800" -> (800, 500); "两三百" -> (300, 200);
    "300左右" -> (360, 180); "200以上" -> (None, 200); "预算500" -> (500, None).
    A number on its own ("300吧") is a budget only in answer to the budget
    question (``bare_number``): elsewhere it may be a size or a height.
    """
    match = _RANGE.search(text)
    if match:
        low, high = _amount(match.group(1), match.group(2)), _amount(match.group(3), match.group(4))
        if low is not None and high is not None:
            return max(low, high), min(low, high)
    match = _TWO_DIGITS.search(text)
    if match:
        unit = 100 if match.group(3) == _HUNDRED else 1000
        low, high = chinese_number(match.group(1)), chinese_number(match.group(2))
        return Decimal(int(high) * unit), Decimal(int(low) * unit)
    for pattern, shape in ((_AT_MOST_AFTER, "max"), (_ABOUT, "about"), (_AT_LEAST, "min"), (_AT_MOST_BEFORE, "max"),
                           (_PRICED, "about")):
        match = pattern.search(text)
        if match:
            amount = _amount(match.group(1), match.group(2))
            if amount is not None:
                return _shaped(amount, shape)
    amount = _amount(*_split_unit(entity_value)) if entity_value else None
    if amount is None and bare_number:
        match = _BARE_NUMBER.search(text)
        amount = _amount(match.group(1), match.group(2)) if match else None
    return (amount, None) if amount is not None else None


def _shaped(amount: Decimal, shape: str) -> Tuple[Optional[Decimal], Optional[Decimal]]:
    if shape == "max":
        return amount, None
    if shape == "min":
        return None, amount
    return (amount * AROUND_HIGH).quantize(Decimal(1)), (amount * AROUND_LOW).quantize(Decimal(1))


def _split_unit(value: str) -> Tuple[str, Optional[str]]:
    match = re.search(_NUMBER, value or "")
    return (match.group(1), match.group(2)) if match else ("", None)


def _amount(number: Optional[str], multiplier: Optional[str] = None) -> Optional[Decimal]:
    """"300" -> 300, "两百" -> 200, "一千五" -> 1500, "1k" -> 1000, "2千" -> 2000."""
    number = (number or "").strip()
    if not number:
        return None
    value: Optional[float]
    if _THOUSAND in number and not re.fullmatch(r"\d+(?:\.\d+)?", number):
        head, rest = number.split(_THOUSAND, 1)
        thousands = chinese_number(head) if head else 1.0
        if thousands is None:
            return None
        below = chinese_number(rest) if rest else 0.0
        if rest and len(rest) == 1 and below is not None:
            below *= 100  # 一千五 = 一千五百
        value = None if below is None else thousands * 1000 + below
    else:
        value = chinese_number(number)
    if value is None:
        return None
    if multiplier in ("k", "K", _THOUSAND):
        value *= 1000
    elif multiplier == _TEN_THOUSAND:
        value *= 10000
    if value <= 0:
        return None
    return Decimal(int(value)) if value == int(value) else Decimal(str(value)).quantize(Decimal("0.01"))


# --- applying a refinement -----------------------------------------------------------------
@dataclass(frozen=True)
class ShownProduct:
    """A product the shopper was just shown, in the variant shown."""

    product_id: str
    price: Decimal
    color: Optional[str] = None
    size: Optional[str] = None

    @property
    def variant(self) -> str:
        return "/".join(v for v in (self.color, self.size) if v)

    def to_dict(self) -> Dict[str, Optional[str]]:
        return {"product_id": self.product_id, "price": str(self.price), "color": self.color, "size": self.size}

    @classmethod
    def from_dict(cls, data: Mapping[str, Optional[str]]) -> "ShownProduct":
        return cls(str(data["product_id"]), Decimal(str(data["price"])), data.get("color"), data.get("size"))


def refined_needs(needs: Needs, refinement: Refinement, shown: Sequence[ShownProduct] = ()) -> Needs:
    """The needs after the message: a new kind of product starts afresh but keeps the budget and recipient."""
    if refinement.category and needs.category is None:
        needs = replace(needs, category=refinement.category)
    elif refinement.category and not same_kind(refinement.category, needs.category):
        needs = Needs(category=refinement.category, budget_max=needs.budget_max, budget_min=needs.budget_min,
                      recipient=needs.recipient)
        shown = ()
    if refinement.budget_given:
        needs = replace(needs, budget_max=refinement.budget_max, budget_min=refinement.budget_min)
    elif refinement.cheaper and shown:
        needs = replace(needs, budget_max=cheaper_than(item.price for item in shown), budget_min=None)
    elif refinement.dearer and shown:
        needs = replace(needs, budget_min=dearer_than(item.price for item in shown), budget_max=None)
    if refinement.recipient:
        needs = replace(needs, recipient=refinement.recipient)
    excluded = [c for c in needs.colors_excluded if c not in refinement.colors_wanted]
    excluded += [c for c in refinement.colors_excluded if c not in excluded]
    if refinement.other_color:
        excluded += [item.color for item in shown if item.color and item.color not in excluded]
    wanted = list(refinement.colors_wanted) or [c for c in needs.colors_wanted if c not in excluded]
    needs = replace(needs, colors_wanted=tuple(wanted), colors_excluded=tuple(excluded))
    if refinement.size:
        needs = replace(needs, size=refinement.size)
    if refinement.uses:
        needs = replace(needs, uses=tuple(dict.fromkeys((*needs.uses, *refinement.uses))))
    if refinement.reject_shown:
        rejected = list(needs.rejected) + [item.product_id for item in shown if item.product_id not in needs.rejected]
        needs = replace(needs, rejected=tuple(rejected))
    return needs


# --- the recommendation in the conversation --------------------------------------------------
@dataclass(frozen=True)
class RecommendationState:
    """What one conversation slot keeps between turns: the needs, what was shown, whether the shopper gave up."""

    needs: Needs = Needs()
    shown: Tuple[ShownProduct, ...] = ()
    cancelled: bool = False

    def to_slot(self) -> Dict[str, object]:
        return {"needs": self.needs.to_dict(), "shown": [item.to_dict() for item in self.shown],
                "cancelled": self.cancelled}

    @classmethod
    def from_slot(cls, value: Optional[Mapping[str, object]]) -> "RecommendationState":
        value = value if isinstance(value, Mapping) else {}
        return cls(
            Needs.from_dict(value.get("needs")),  # type: ignore[arg-type]
            tuple(ShownProduct.from_dict(item) for item in value.get("shown") or ()),  # type: ignore[union-attr]
            bool(value.get("cancelled")),
        )

    @property
    def shown_ids(self) -> List[str]:
        return [item.product_id for item in self.shown]


def recommend_for(shop, needs: Needs, customer_id: Optional[str] = None) -> Recommendation:
    """The ranking for these needs and, when the shopper is known, their history (one blocking call for actions).

    Nothing fits: the best of the needs relaxed as ``Recommendation.relaxation`` says, so that the
    shopper sees what there is rather than only a refusal.
    """
    history = (
        shopper_history(customer_id, shop.customers, shop.orders, shop.catalogue) if customer_id else None
    )
    return recommend(shop.catalogue, needs, history)
