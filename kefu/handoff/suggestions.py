"""Replies an agent can send with one click, for the shopper's last message.

Computed the way the bot would answer: the NLU model's intent ranking for
the message picks the topics, and the merchant's knowledge (FAQ, policies,
promotion rules) gives the answers. An FAQ entry whose keywords the message
names comes first, whatever the intent; a greeting to the shopper comes
last, so the agent always has something to start with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, List, Mapping, Optional

from kefu.knowledge.promotions import PromotionEngine
from kefu.knowledge.store import KnowledgeStore
from kefu.replies import render
from kefu.services.knowledge_answers import best_faq, knowledge_reply
from kefu.services.promotion_answers import ShopperContext, coupon_reply, promotion_reply
from kefu.shop.clock import shop_now

MAX_SUGGESTIONS = 3
FALLBACK_INTENT = "nlu_fallback"
# Intents answered from the engine rather than from FAQ/policy text.
PROMOTION_ANSWERS = {"ask_promotion": promotion_reply, "ask_coupon": coupon_reply}


def _ranked_intents(parse_result: Optional[Mapping[str, Any]]) -> List[str]:
    if not parse_result:
        return []
    ranking = parse_result.get("intent_ranking") or [parse_result.get("intent") or {}]
    names = [entry.get("name") for entry in ranking if isinstance(entry, Mapping)]
    return [name for name in names if name and name != FALLBACK_INTENT]


def _as_text(reply: Mapping[str, Any]) -> str:
    return render(reply["template"], **{k: v for k, v in reply.items() if k != "template"})["text"]


def suggested_replies(text: str, parse_result: Optional[Mapping[str, Any]], store: KnowledgeStore,
                      agent_name: str = "", now: Optional[datetime] = None) -> List[str]:
    """Up to three answers for ``text``, best first; never empty."""
    text = text or ""
    suggestions: List[str] = []

    def add(candidate: Optional[str]) -> None:
        if candidate and candidate not in suggestions and len(suggestions) < MAX_SUGGESTIONS:
            suggestions.append(candidate)

    entry = best_faq(store.faq(), text)
    if entry is not None:
        add(entry.answer)
    for intent in _ranked_intents(parse_result)[:MAX_SUGGESTIONS]:
        if intent in PROMOTION_ANSWERS:
            engine = PromotionEngine(store.promotions())
            add(_as_text(PROMOTION_ANSWERS[intent](engine, text, ShopperContext(now or shop_now()))))
            continue
        policies, faqs = store.policies(intent), store.faq(intent)
        if policies or faqs:
            add(knowledge_reply(policies, faqs, text)["answer"])
    if len(suggestions) < MAX_SUGGESTIONS:
        suggestions.append(render("agent_greeting", agent=agent_name)["text"])
    return suggestions
