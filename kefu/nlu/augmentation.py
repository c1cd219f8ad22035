"""Training-time copies of examples in the register real shoppers write:
wrapped in greetings, menu labels and pasted order cards or links, trailed by
急急急 / 在线等 / emoji, with a shop term typed as pinyin (see docs/nlu.md).

Only ``process_training_data`` adds copies; ``process`` leaves every message
at inference as it is. Copies are chosen with a fixed seed from each
example's own text, so the same data always yields the same copies, and their
number is capped (``share``) so that training time grows in proportion.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from pypinyin import Style, lazy_pinyin
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kefu.nlu.text_normalizer import DEFAULT_TERMS_FILE, load_terms

GREETINGS = ("你好 ", "您好，", "亲 ", "亲亲在吗～ ", "在吗 ", "在么？", "hi ", "老板 ", "哈喽 ", "你好 请问一下 ")
SUFFIXES = (
    " 急急急", " 在线等", "，谢谢", " 谢谢亲", " 麻烦快点回复", "？？", " 😭", " 🙏", "！！", " 急用",
    "，麻烦了", " 等回复", "[捂脸]", " 在线等挺急的",
)
# Menu labels a platform pastes before the question, by the topic of the
# intent they would come with; the residue reducer keeps their topic word.
MENU_LABELS: Dict[str, Tuple[str, ...]] = {
    "track_order": ("物流咨询", "订单业务咨询", "请选择咨询订单"),
    "ask_delivery_time": ("物流配送咨询", "售前咨询"),
    "change_address": ("订单业务咨询", "请选择咨询订单"),
    "cancel_order": ("订单业务咨询", "请选择咨询订单"),
    "ask_return": ("售后咨询", "退换货咨询"),
    "ask_exchange": ("退换货咨询", "售后服务咨询"),
    "ask_refund_status": ("退款咨询", "售后咨询"),
    "report_problem": ("售后咨询", "售后服务咨询"),
    "ask_warranty": ("售后服务咨询",),
    "ask_invoice": ("发票类咨询", "发票咨询"),
    "ask_product_info": ("商品信息咨询", "售前咨询"),
    "ask_stock": ("商品信息咨询", "售前咨询"),
    "ask_size_advice": ("商品信息咨询",),
    "request_recommendation": ("售前咨询",),
    "ask_promotion": ("优惠活动咨询", "价保咨询"),
    "ask_coupon": ("优惠活动咨询",),
    "ask_payment": ("支付咨询",),
    "ask_shipping_fee": ("物流配送咨询", "售前咨询"),
}
# Intents whose examples are short social phrases or reviews: a pasted order
# card or 急急急 around them would describe messages nobody sends.
SKIPPED_INTENTS = ("greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope", "praise")
LINK_HOSTS = (
    "https://item.jd.com/{digits}.html", "https://detail.tmall.com/item.htm?id={digits}",
    "https://item.taobao.com/item.htm?id={digits}", "https://mobile.yangkeduo.com/goods.html?goods_id={digits}",
    "https://haohuo.jinritemai.com/views/product/item2?id={digits}",
)
KINDS = ("greeting", "menu", "order_card", "link", "suffix", "pinyin")


@dataclass(frozen=True)
class Variant:
    text: str
    entities: Tuple[Dict[str, Any], ...]


def _shifted(entities: Sequence[Dict[str, Any]], after: int, by: int) -> List[Dict[str, Any]]:
    """Entities starting at or after ``after`` moved by ``by`` characters."""
    moved = []
    for entity in entities:
        entity = dict(entity)
        if entity[ENTITY_ATTRIBUTE_START] >= after:
            entity[ENTITY_ATTRIBUTE_START] += by
            entity[ENTITY_ATTRIBUTE_END] += by
        moved.append(entity)
    return moved


def with_prefix(text: str, entities: Sequence[Dict[str, Any]], prefix: str,
                prefix_entities: Sequence[Dict[str, Any]] = ()) -> Variant:
    return Variant(prefix + text, tuple(list(prefix_entities) + _shifted(entities, 0, len(prefix))))


def with_suffix(text: str, entities: Sequence[Dict[str, Any]], suffix: str) -> Variant:
    return Variant(text + suffix, tuple(dict(e) for e in entities))


def _is_ascii_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def with_pinyin(text: str, entities: Sequence[Dict[str, Any]], terms: Sequence[str],
                rng: random.Random) -> Optional[Variant]:
    """One shop term outside the entities typed as toneless pinyin (发票 -> fapiao)."""
    candidates = []
    for term in terms:
        start = text.find(term)
        while start >= 0:
            end = start + len(term)
            inside_entity = any(e[ENTITY_ATTRIBUTE_START] < end and start < e[ENTITY_ATTRIBUTE_END] for e in entities)
            # Pinyin next to Latin letters or digits would merge with them into one token.
            touches_ascii = (start > 0 and _is_ascii_word_char(text[start - 1])) or (
                end < len(text) and _is_ascii_word_char(text[end])
            )
            if not inside_entity and not touches_ascii:
                candidates.append((start, end))
            start = text.find(term, end)
    if not candidates:
        return None
    start, end = rng.choice(sorted(candidates))
    pinyin = "".join(lazy_pinyin(text[start:end], style=Style.NORMAL))
    return Variant(text[:start] + pinyin + text[end:], tuple(_shifted(entities, end, len(pinyin) - (end - start))))


def _digits(rng: random.Random, count: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(count - 1))


def order_card(rng: random.Random) -> Tuple[str, List[Dict[str, Any]]]:
    """A pasted order card and the order_id entity of its order number."""
    order_id = "2024" + _digits(rng, 9)
    label = rng.choice(("订单编号:[", "咨询订单号:"))
    closing = "]" if label.endswith("[") else ""
    card = (
        f"{label}{order_id}{closing}，订单金额:{rng.randint(9, 899)}.00元，"
        f"下单时间:2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} "
    )
    start = len(label)
    entity = {
        ENTITY_ATTRIBUTE_TYPE: "order_id", ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: start + len(order_id), ENTITY_ATTRIBUTE_VALUE: order_id,
    }
    return card, [entity]


class Augmenter:
    """Makes the copies; plain Python, the component below runs it in training."""

    def __init__(self, seed: int, share: float, kinds: Sequence[str], terms: Sequence[str],
                 skipped_intents: Sequence[str] = SKIPPED_INTENTS) -> None:
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown augmentation kinds {sorted(unknown)}; known: {KINDS}")
        self.seed, self.share, self.kinds = seed, share, tuple(kinds)
        self.skipped_intents = set(skipped_intents)
        # Longest first, so 退换货 is typed as pinyin whole rather than 退/换货.
        self.terms = sorted((t for t in terms if len(t) >= 2), key=len, reverse=True)

    def copies(self, examples: Sequence[Message]) -> List[Message]:
        eligible = [m for m in examples if m.get(TEXT) and m.get(INTENT) and m.get(INTENT) not in self.skipped_intents]
        cap = int(self.share * len(examples))
        new = []
        for message in eligible:
            if len(new) >= cap:
                break
            # Each example's own seed: adding an example elsewhere changes no other copy.
            rng = random.Random(f"{self.seed}:{message.get(INTENT)}:{message.get(TEXT)}")
            if rng.random() >= self.share or not self.kinds:
                continue
            variant = self.variant(message.get(TEXT), message.get(INTENT), message.get(ENTITIES) or [], rng)
            if variant is not None:
                data = {**message.data, TEXT: variant.text, ENTITIES: list(variant.entities)}
                new.append(Message(data=data))
        return new

    def variant(self, text: str, intent: str, entities: Sequence[Dict[str, Any]],
                rng: random.Random) -> Optional[Variant]:
        kind = rng.choice(self.kinds)
        if kind == "greeting":
            return with_prefix(text, entities, rng.choice(GREETINGS))
        if kind == "menu":
            labels = MENU_LABELS.get(intent)
            return with_prefix(text, entities, rng.choice(labels) + rng.choice((" ", "\n"))) if labels else None
        if kind == "order_card":
            card, card_entities = order_card(rng)
            return with_prefix(text, entities, card, card_entities)
        if kind == "link":
            return with_prefix(text, entities, rng.choice(LINK_HOSTS).format(digits=_digits(rng, 12)) + " ")
        if kind == "suffix":
            return with_suffix(text, entities, rng.choice(SUFFIXES))
        return with_pinyin(text, entities, self.terms, rng)


# A tokenizer-stage component placed first in the pipeline, so the copies go
# through the same normalisation, residue and greeting steps as real messages.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TrainingAugmenter(GraphComponent):
    """Adds realistic copies of training examples; leaves inference untouched."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "seed": 2024,
            # At most this share of new examples (0.25: a quarter more to train on).
            "share": 0.25,
            "kinds": list(KINDS),
            # Shop terms that may be typed as pinyin in a copy.
            "terms_path": str(DEFAULT_TERMS_FILE),
        }

    def __init__(self, augmenter: Augmenter) -> None:
        self._augmenter = augmenter

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TrainingAugmenter:
        config = {**cls.get_default_config(), **config}
        terms = load_terms(Path(config["terms_path"]))
        return cls(Augmenter(int(config["seed"]), float(config["share"]), config["kinds"], terms))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Story text reaches this step as one-attribute messages (text or
        # intent, never both), so only NLU examples are copied.
        copies = self._augmenter.copies(training_data.training_examples)
        if not copies:
            return training_data
        return TrainingData(
            training_examples=training_data.training_examples + copies,
            entity_synonyms=training_data.entity_synonyms,
            regex_features=training_data.regex_features,
            lookup_tables=training_data.lookup_tables,
            responses=training_data.responses,
        )

    def process(self, messages: List[Message]) -> List[Message]:
        # Training-time only: a shopper's message is never altered here.
        return messages
