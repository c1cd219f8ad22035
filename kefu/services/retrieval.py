"""Finding the merchant's written answer to a question: the product Q&A of the
product asked about, and — when the classifier was unsure of a message — the FAQ
and that product's Q&A together (the retrieval step before asking the shopper
to rephrase). One matcher for both: ``kefu.knowledge.question_match``.

The thresholds are the IDF-weighted share of the question the best entry
explains (``Match.confidence``); tests/services/test_retrieval.py holds the
questions they were chosen on, both ways (run it with ``-s`` to see their
confidences).
"""

from __future__ import annotations

from typing import Any, Collection, Dict, Optional, Protocol, Sequence, Tuple

from kefu import names
from kefu.knowledge.question_match import Match, QuestionIndex

Reply = Dict[str, Any]

# A product question (the classifier said ask_product_info, the product is known):
# half of the question explained by one of the product's entries answers it.
PRODUCT_QA_CONFIDENCE = 0.5
# A message the classifier was unsure of: answered only when most of it is explained.
RETRIEVAL_CONFIDENCE = 0.6
# The FAQ topics whose answer is the same for every shopper. The others (delivery time, returns,
# exchanges, coupons, price protection …) depend on the shopper's order or cart: "今天能到吗" or
# "我想退货" must reach the action that looks at them (the clarification buttons lead there), not a
# general text; "我想退货" answered with the return policy is the gap issue 14 names.
RETRIEVABLE_TOPICS = frozenset({
    names.ASK_INVOICE_INTENT, names.ASK_WARRANTY_INTENT, names.ASK_PAYMENT_INTENT, names.ASK_SHIPPING_FEE_INTENT,
})


class WrittenAnswer(Protocol):
    """An FAQ or product Q&A entry (kefu.knowledge.store)."""

    id: str
    question: str
    answer: str
    keywords: Tuple[str, ...]


class ProductAnswerLike(WrittenAnswer, Protocol):
    product_id: str


class FaqLike(WrittenAnswer, Protocol):
    topic: str


def entry_text(entry: WrittenAnswer) -> str:
    """What a question is matched against: the merchant's question and the other words they gave for it."""
    return " ".join((entry.question, *entry.keywords))


def answer_index(entries: Sequence[WrittenAnswer]) -> QuestionIndex:
    return QuestionIndex([(entry, entry_text(entry)) for entry in entries])


def best_product_answer(
    product_entries: Sequence[ProductAnswerLike], product_id: str, text: str, ignored: Collection[str] = (),
    threshold: float = PRODUCT_QA_CONFIDENCE,
) -> Optional[Match]:
    """The product's Q&A entry answering ``text``, matched among every product's entries (so that a word
    common to all products counts for little); ``ignored``: the product's own words (耳机, its name)."""
    own = [entry for entry in product_entries if entry.product_id == product_id]
    if not own:
        return None
    match = answer_index(product_entries).best(text, among=own, ignored=ignored)
    return match if match is not None and match.confidence >= threshold else None


def retrieved_reply(
    faqs: Sequence[FaqLike], product_entries: Sequence[ProductAnswerLike], product_id: Optional[str], text: str,
    ignored: Collection[str] = (), threshold: float = RETRIEVAL_CONFIDENCE,
) -> Optional[Reply]:
    """The written answer to a message the classifier was unsure of, or None (then: clarification).

    The FAQ entries of ``RETRIEVABLE_TOPICS`` and the Q&A of the product in question (``product_id``)
    compete; other products' entries are never answered (the shopper did not ask about them), but
    every entry counts in the statistics, so that a word common to many counts for little."""
    among = [*(entry for entry in faqs if entry.topic in RETRIEVABLE_TOPICS),
             *(entry for entry in product_entries if entry.product_id == product_id)]
    if not among:
        return None
    match = answer_index([*faqs, *product_entries]).best(text, among=among, ignored=ignored)
    if match is None or match.confidence < threshold:
        return None
    return {"template": "retrieved_answer", "question": match.item.question, "answer": match.item.answer}
