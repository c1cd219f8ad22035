"""Choosing the merchant's answer for a policy question."""

from dataclasses import dataclass
from typing import Tuple

from kefu.services.knowledge_answers import best_faq, knowledge_reply


@dataclass(frozen=True)
class Policy:
    answer: str
    position: int = 0


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str
    keywords: Tuple[str, ...]
    position: int = 0


INVOICE_POLICY = Policy("亲，下单时填写抬头即可开电子普通发票～")
VAT = Faq("专票怎么开", "增值税专用发票请提供公司开票信息～", ("专票", "增值税专用发票", "专用发票"), 1)
PAPER = Faq("能开纸质发票吗", "纸质发票随货寄出～", ("纸质",), 2)
CHANGE = Faq("发票抬头写错了", "确认收货后30天内可在订单页重开～", ("抬头", "写错", "重开"), 3)


def test_the_entry_whose_keywords_the_message_names_is_chosen():
    assert best_faq([VAT, PAPER, CHANGE], "专票怎么开啊") == VAT
    assert knowledge_reply([INVOICE_POLICY], [VAT, PAPER], "能开纸质的吗") == {
        "template": "knowledge_answer", "answer": "纸质发票随货寄出～"}


def test_more_keywords_named_win_then_the_longer_keyword():
    assert best_faq([VAT, CHANGE], "专票抬头写错了能重开吗") == CHANGE
    general = Faq("发票", "可以开的～", ("发票",), 0)
    assert best_faq([general, VAT], "增值税专用发票") == VAT


def test_a_general_question_gets_the_topics_policy():
    assert knowledge_reply([INVOICE_POLICY], [VAT, PAPER], "能开发票吗")["answer"] == INVOICE_POLICY.answer


def test_without_a_policy_the_first_entry_of_the_topic_answers():
    assert knowledge_reply([], [PAPER, VAT], "发票的事")["answer"] == VAT.answer


def test_a_topic_the_merchant_gave_no_answer_for_says_so():
    assert knowledge_reply([], [], "能开发票吗") == {"template": "knowledge_unknown"}
    assert knowledge_reply([], [], "") == {"template": "knowledge_unknown"}
