"""Which product a shopper means, and the answer to an open question about it:
the merchant's Q&A for the product first, then its attributes, a side-by-side
comparison when two products are in question, and an honest "let me check /
an agent" when nothing written answers it — never a guess."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from kefu.backends.catalogue import ATTRIBUTE_LABELS, CatalogueBackend, Product, StockLevel
from kefu.knowledge.product_questions import (
    asked_feature,
    asks_comparison,
    asks_something_specific,
    asks_whether_included,
    is_feature_word,
    points_at_two,
)
from kefu.services.retrieval import ProductAnswerLike, best_product_answer
from kefu.storage.money import plain
from kefu.storage.phrases import Joined, Phrase, listed

# A product id pasted on its own or inside a product link (…item?id=P1001).
_PRODUCT_ID = re.compile(r"(?<![A-Za-z0-9])(P\d{4})(?!\d)")

# What shoppers say -> attribute keys that answer it, most specific first.
ATTRIBUTE_KEYWORDS: Tuple[Tuple[Tuple[str, ...], Tuple[str, ...]], ...] = (
    (("电磁炉", "燃气", "明火", "灶"), ("compatible_stoves",)),
    (("纯棉", "棉", "材质", "面料", "料子", "成分", "布料", "羊毛", "真皮", "什么做的"), ("material", "ingredients")),
    (("续航", "电池", "待机"), ("battery",)),
    (("充电", "快充"), ("charging",)),
    (("防水",), ("waterproof",)),
    (("降噪",), ("noise_cancelling",)),
    (("保修", "质保"), ("warranty",)),
    (("机洗", "手洗", "洗", "保养", "清洗"), ("care", "usage_notes")),
    (("容量", "几升", "毫升"), ("capacity",)),
    (("保质期", "过期"), ("shelf_life",)),
    (("防晒", "spf"), ("protection",)),
    (("色号",), ("shade",)),
    (("香味", "味道", "香型"), ("scent",)),
    (("产地", "哪里产", "哪产"), ("origin",)),
    (("兼容", "适配", "苹果", "安卓"), ("compatibility",)),
    (("版型", "修身", "宽松"), ("fit",)),
    (("偏大", "偏小", "尺码"), ("size_advice",)),
    (("厚", "薄"), ("thickness",)),
    (("弹力", "弹性"), ("stretch",)),
    (("季节", "冬天", "夏天", "春秋"), ("season",)),
    (("尺寸", "多大", "多长", "多宽", "大小", "口径"), ("dimensions",)),
    (("重量", "多重", "几斤", "轻"), ("weight",)),
)
OVERVIEW_ATTRIBUTES = 4
# A comparison shows the attributes both products have first, then those of one only, up to this many rows;
# long texts (how to use or wash it, which size to take) do not fit side by side.
COMPARISON_ROWS = 6
NOT_COMPARED = frozenset({"usage_notes", "care", "size_advice", "return_policy"})


def product_id_in(text: Optional[str]) -> Optional[str]:
    match = _PRODUCT_ID.search(text or "")
    return match.group(1) if match else None


def product_ids_in(text: Optional[str]) -> List[str]:
    """Every product id pasted or linked in the text, in order, each once."""
    return list(dict.fromkeys(_PRODUCT_ID.findall(text or "")))


def find_product(
    catalogue: CatalogueBackend,
    text: Optional[str] = None,
    product_name: Optional[str] = None,
    current_product_id: Optional[str] = None,
) -> Optional[Product]:
    """The product from an id or link in the message, else the product named, else the one discussed."""
    product_id = product_id_in(text)
    if product_id:
        return catalogue.get_product(product_id)
    if product_name:
        named = _named_product(catalogue, product_name, current_product_id)
        if named is not None:
            return named
    if current_product_id:
        return catalogue.get_product(current_product_id)
    return None


def _named_product(catalogue: CatalogueBackend, product_name: str, *meant_ids: Optional[str]) -> Optional[Product]:
    """The product a word (耳机, 声悦 Pro) names; of the products ``meant_ids`` (pasted in the same message,
    then the one discussed), the first the word fits."""
    matches = catalogue.find_products(keyword=product_name, limit=50)
    # "P3001 这款耳机" or "这款耳机" while earphones are discussed: those earphones, not the best-selling ones.
    for meant_id in filter(None, meant_ids):
        meant = next((p for p in matches if p.product_id == meant_id), None)
        if meant is not None:
            return meant
    # The catalogue also matches search terms (a POLO shirt is "T恤" too);
    # a product whose name says what the shopper said is the better guess.
    named = [p for p in matches if product_name.lower() in p.name.lower()]
    return (named or matches or [None])[0]


@dataclass(frozen=True)
class ProductQuestion:
    """What an open product question is about."""

    products: Tuple[Product, ...]  # the product asked about; two when they are compared
    feature: Optional[str] = None  # a thing that comes with the product (充电线), asked about by name
    comparison: bool = False  # the shopper compares products ("这两款有什么区别", two links, A和B)


def products_in_question(
    catalogue: CatalogueBackend,
    text: str,
    product_names: Sequence[str] = (),
    current_product_id: Optional[str] = None,
    recent_product_ids: Sequence[str] = (),
) -> ProductQuestion:
    """The product(s) an open question is about, from ids or links in ``text``, the product entities
    (``product_names``), the product discussed (``current_product_id``) and, for "这两款", the
    products discussed before it (``recent_product_ids``, newest first).

    A thing that comes with a product (充电线, 膜, 说明书) is the product only when nothing else
    is: "这款耳机带充电线吗" asks about the earphones, "充电线多长" about the data cable."""
    ids = product_ids_in(text)
    others = [name for name in product_names if not is_feature_word(name)]
    feature = asked_feature(text)
    if feature is not None and not (ids or others or current_product_id or asks_whether_included(text)):
        feature, others = None, list(product_names)  # the thing is what the shopper wants to know about
    products = _distinct(
        [*(catalogue.get_product(product_id) for product_id in ids),
         # "P3001 这款耳机续航多久": 耳机 is P3001 itself, not a second product to compare it with.
         *(_named_product(catalogue, name, *ids, current_product_id) for name in others)]
    )
    comparison = len(products) >= 2 or asks_comparison(text)
    if comparison and len(products) < 2:
        if points_at_two(text):
            # "这两款耳机": the two discussed, not the first earphones the word 耳机 finds.
            products = _distinct(catalogue.get_product(product_id) for product_id in ids)
        discussed = dict.fromkeys(i for i in (current_product_id, *recent_product_ids) if i)
        products = _distinct([*products, *(catalogue.get_product(product_id) for product_id in discussed)])
    if not products and current_product_id:
        products = _distinct([catalogue.get_product(current_product_id)])
    return ProductQuestion(tuple(products[:2] if comparison else products[:1]), feature, comparison)


def _distinct(products: Iterable[Optional[Product]]) -> List[Product]:
    seen, distinct = set(), []
    for product in products:
        if product is not None and product.product_id not in seen:
            seen.add(product.product_id)
            distinct.append(product)
    return distinct


def _asked_keys(text: str) -> List[str]:
    """The attribute keys the question is about, whether or not the product has them."""
    lowered = (text or "").lower()
    return [key for keywords, keys in ATTRIBUTE_KEYWORDS if any(k in lowered for k in keywords) for key in keys]


def asked_attribute(product: Product, text: str) -> Optional[str]:
    return next((key for key in _asked_keys(text) if product.attribute(key)), None)


def attribute_reply(product: Product, text: str) -> dict:
    key = asked_attribute(product, text)
    if key is not None:
        return {
            "template": "product_attribute",
            "product": product.name,
            "label": ATTRIBUTE_LABELS.get(key, key),
            "value": product.attribute(key),
        }
    unknown = _asked_keys(text)
    if unknown:
        # The merchant's catalogue does not say: better an agent than a guess.
        return {"template": "product_attribute_unknown", "product": product.name,
                "label": ATTRIBUTE_LABELS.get(unknown[0], unknown[0])}
    highlights = listed(
        (Phrase("product_highlight", label=ATTRIBUTE_LABELS.get(k, k), value=v)
         for k, v in list(product.attributes.items())[:OVERVIEW_ATTRIBUTES]),
        "separator_semicolon",
    )
    return {"template": "product_overview", "product": product.name, "price": plain(product.price), "highlights": highlights}


def product_info_reply(
    question: ProductQuestion, text: str, product_entries: Sequence[ProductAnswerLike], product_words: Sequence[str] = (),
) -> dict:
    """The answer to an open question about ``question.products`` (at least one; two for a comparison).

    ``product_entries``: the merchant's product Q&A (every product's: a word common to all of them
    counts for little); ``product_words``: what the shopper called the product (耳机), set aside
    when the question is matched."""
    if question.comparison:
        if len(question.products) < 2:
            return {"template": "product_compare_which"}
        return comparison_reply(*question.products[:2])
    product = question.products[0]
    own_words = product_words_of(product, product_words)
    match = best_product_answer(product_entries, product.product_id, text, ignored=own_words)
    if match is not None:
        return {"template": "product_qa_answer", "product": product.name, "answer": match.item.answer}
    if question.feature is not None:
        return _feature_reply(product, question.feature)
    if _asked_keys(text) or not asks_something_specific(text, own_words):
        return attribute_reply(product, text)
    # Something specific nothing written answers: better an agent than a guess.
    return {"template": "product_question_unknown", "product": product.name}


def product_words_of(product: Product, said: Sequence[str] = ()) -> List[str]:
    """What stands for the product in a question (its name, brand, what the shopper called it), set
    aside when the question is matched; a feature (充电线) is what is asked about, and stays."""
    return [product.name, product.brand, *(word for word in said if not is_feature_word(word))]


def _feature_reply(product: Product, feature: str) -> dict:
    """A thing that comes with the product, asked about by name: an attribute that names it
    ("附赠收纳包与音频线"), else the honest "let me check"."""
    for key, value in product.attributes.items():
        if feature in value:
            return {"template": "product_attribute", "product": product.name,
                    "label": ATTRIBUTE_LABELS.get(key, key), "value": value}
    return {"template": "product_feature_unknown", "product": product.name, "feature": feature}


def comparison_reply(first: Product, second: Product) -> dict:
    """The two products side by side: price, then the attributes both have, then those of one only."""
    keys = [key for key in first.attributes if key in second.attributes]
    keys += [key for key in (*first.attributes, *second.attributes) if key not in keys]
    rows = [
        Phrase("compare_row", label=ATTRIBUTE_LABELS.get(key, key),
               first=first.attribute(key) or Phrase("compare_not_given"),
               second=second.attribute(key) or Phrase("compare_not_given"))
        for key in keys if key not in NOT_COMPARED
    ][:COMPARISON_ROWS]
    heading = Phrase("compare_heading", first=first.name, first_price=plain(first.price),
                     second=second.name, second_price=plain(second.price))
    return {"template": "product_compare", "first": first.name, "second": second.name,
            "table": Joined((heading, *rows), "\n")}


def _variant(level: StockLevel) -> str:
    return "/".join(v for v in (level.color, level.size) if v)


def stock_reply(product: Product, levels: List[StockLevel], color: Optional[str], size: Optional[str]) -> dict:
    asked = "/".join(v for v in (color, size) if v)
    if not levels:
        return {
            "template": "stock_no_such_variant",
            "product": product.name,
            "variant": asked,
            "colors": listed(product.colors) or Phrase("stock_no_colors"),
            "sizes": listed(product.sizes) or Phrase("stock_one_size"),
        }
    available = [level for level in levels if level.in_stock]
    if color and size or len(levels) == 1:
        level = levels[0]
        if level.in_stock:
            return {"template": "stock_available", "product": product.name, "variant": _variant(level), "quantity": level.quantity}
        if level.restock_date is not None:
            return {
                "template": "stock_restocking",
                "product": product.name,
                "variant": _variant(level),
                "restock_date": Phrase("stock_restock_date", month=level.restock_date.month, day=level.restock_date.day),
            }
        return {"template": "stock_sold_out", "product": product.name, "variant": _variant(level)}
    if not available:
        return {"template": "stock_sold_out", "product": product.name, "variant": asked or Phrase("stock_every_variant")}
    return {
        "template": "stock_variants",
        "product": product.name,
        "variant": asked or Phrase("stock_variants_now"),
        "variants": listed(_variant(level) for level in available),
    }
