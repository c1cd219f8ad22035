"""Open product questions end to end over the REST webhook (issue 14): answered from the merchant's
product Q&A in the shop database, a thing asked about taken as a feature of the earphones discussed,
and two products compared side by side. Needs a trained model (skips without one: `make train`)."""

from __future__ import annotations

import uuid

import pytest

from kefu.chat import send
from kefu.replies import identify

# Either way the store's answer is given: the classifier recognised the product question, or it was
# unsure and the retrieval step found the product's Q&A entry.
ANSWERED_FROM_THE_STORE = {"product_qa_answer", "retrieved_answer"}


class Shopper:
    def __init__(self, assistant):
        self.assistant = assistant
        self.sender = f"product-qa-{uuid.uuid4().hex[:8]}"
        self.last = []

    def says(self, text):
        self.last = send(self.assistant.rasa_url, self.sender, text, metadata={"channel": "web"})
        return [identify(reply.get("text") or "") for reply in self.last]

    def text(self):
        return "\n".join(reply.get("text") or "" for reply in self.last)


def test_a_product_question_is_answered_from_the_products_qa(running_assistant):
    shopper = Shopper(running_assistant)

    replies = shopper.says("https://item.taobao.com/item.htm?id=P3011 这个音箱能插U盘放歌吗")

    assert ANSWERED_FROM_THE_STORE & set(replies), replies
    assert "不能插卡也不能插U盘" in shopper.text()  # kefu/knowledge/samples/product_qa.yml, p3011_card


def test_the_cable_asked_about_is_a_feature_of_the_earphones_discussed(running_assistant):
    shopper = Shopper(running_assistant)
    shopper.says("P3001 这款耳机续航多久")

    replies = shopper.says("这款耳机带充电线吗")

    assert ANSWERED_FROM_THE_STORE & set(replies), replies
    text = shopper.text()
    assert "Type-C充电线" in text and "数据线1米" not in text and "暂时没有写明" not in text


@pytest.mark.xfail(strict=True, reason="issue 14, open: over REST the second product discussed is not "
                   "remembered, so 这两款 asks which two (in-process action tests pass); see the closing note")
def test_two_earphones_are_compared_side_by_side(running_assistant):
    shopper = Shopper(running_assistant)
    shopper.says("P3001 这款耳机续航多久")
    shopper.says("那P3002呢 续航多久")

    replies = shopper.says("这两款耳机有什么区别")

    assert "product_compare" in replies, replies
    text = shopper.text()
    assert "声悦 Air" in text and "声悦 Pro" in text and "129元起" in text and "499元起" in text
    assert "退货" not in text, "a comparison, not the return policy"


def test_two_links_in_one_message_are_compared(running_assistant):
    shopper = Shopper(running_assistant)

    replies = shopper.says("https://item.jd.com/P3003.html https://item.jd.com/P3005.html 这两个哪个适合跑步")

    assert "product_compare" in replies, replies
