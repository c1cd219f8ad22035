"""Answers from the merchant's imported policies and FAQ.

A question about invoices, warranty, payment … is answered with the FAQ entry
whose keywords the message names (专票 → the VAT invoice entry), else with
the topic's policy; when the merchant gave neither, the shopper is told so
and offered an agent instead of a made-up answer.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Protocol, Sequence, Tuple

Reply = Dict[str, Any]


class PolicyLike(Protocol):
    answer: str
    position: int


class FaqLike(Protocol):
    question: str
    answer: str
    keywords: Tuple[str, ...]
    position: int


def best_faq(faqs: Sequence[FaqLike], text: str) -> Optional[FaqLike]:
    """The entry naming most of its keywords in ``text`` (the longest keyword breaks ties: 增值税专票 over 发票)."""
    def score(entry: FaqLike) -> Tuple[int, int, int]:
        hits = [keyword for keyword in entry.keywords if keyword and keyword in text]
        return len(hits), max((len(k) for k in hits), default=0), -entry.position

    scored = [(score(entry), entry) for entry in faqs]
    scored = [(points, entry) for points, entry in scored if points[0] > 0]
    return max(scored, key=lambda item: item[0])[1] if scored else None


def knowledge_reply(policies: Sequence[PolicyLike], faqs: Sequence[FaqLike], text: str) -> Reply:
    entry = best_faq(faqs, text or "")
    if entry is not None:
        return {"template": "knowledge_answer", "answer": entry.answer}
    if policies:
        return {"template": "knowledge_answer", "answer": min(policies, key=lambda p: p.position).answer}
    if faqs:
        return {"template": "knowledge_answer", "answer": min(faqs, key=lambda f: f.position).answer}
    return {"template": "knowledge_unknown"}
