from __future__ import annotations

import pytest

from kefu.handoff.emotion import ANGRY_THRESHOLD
from kefu.handoff.triggers import HandoffReason, decide_handoff, priority_for
from kefu.services.clarification import MISSES_BEFORE_HUMAN

R = HandoffReason


def test_an_ordinary_turn_stays_with_the_bot():
    assert decide_handoff("ask_shipping_fee", "包邮吗") is None
    assert decide_handoff("track_order", "快递到哪了", member_level="gold") is None


def test_asking_for_a_human():
    decision = decide_handoff("request_human", "转人工")
    assert (decision.reason, decision.priority, decision.label) == (R.REQUESTED, 3, "顾客要求人工")


def test_a_complaint():
    decision = decide_handoff("complain", "我要投诉一下快递员")
    assert decision.reason is R.COMPLAINT and decision.priority == 1


@pytest.mark.parametrize("text", ["你们什么破服务!!!", "气死了 三次都发错"])
def test_anger_whatever_the_intent(text):
    decision = decide_handoff("track_order", text)
    assert decision.reason is R.ANGRY and decision.priority == 1
    assert decision.emotion_score >= ANGRY_THRESHOLD


def test_praise_is_never_a_reason_to_hand_over():
    assert decide_handoff("praise", "这么好的东西谁给差评谁有病！！！") is None


@pytest.mark.parametrize("intent", ["complain", "report_problem"])
def test_a_grievance_written_like_a_review_still_feeds_the_emotion_score(intent):
    decision = decide_handoff(intent, "量也太少了吧 差评 令人失望!!!")
    assert R.ANGRY in decision.triggers and decision.emotion_score >= ANGRY_THRESHOLD


def test_a_given_score_is_used_instead_of_the_text():
    assert decide_handoff("track_order", "好的", emotion_score=0.9).reason is R.ANGRY
    assert decide_handoff("track_order", "气死了!!!", emotion_score=0.1) is None


def test_repeated_fallbacks_use_the_clarifications_count():
    assert decide_handoff("nlu_fallback", "啊这", fallbacks_in_a_row=MISSES_BEFORE_HUMAN - 1) is None
    assert decide_handoff("nlu_fallback", "啊这", fallbacks_in_a_row=MISSES_BEFORE_HUMAN).reason is R.REPEATED_FALLBACK


def test_a_question_the_knowledge_base_cannot_answer():
    decision = decide_handoff("ask_product_info", "这个锅能进烤箱吗", knowledge_unknown=True)
    assert decision.reason is R.UNKNOWN_ANSWER and decision.priority == 4


def test_a_locked_verification():
    assert decide_handoff("inform", "0002", verification_locked=True).reason is R.VERIFICATION_FAILED


def test_an_accepted_offer_of_an_agent():
    assert decide_handoff("affirm", "好的", agent_offer_accepted=True).reason is R.AGENT_OFFER_ACCEPTED


@pytest.mark.parametrize("intent", ["report_problem", "ask_refund_status", "ask_warranty"])
def test_a_gold_member_with_a_problem(intent):
    decision = decide_handoff(intent, "收到的耳机是坏的", member_level="gold")
    assert decision.reason is R.VIP_PROBLEM and decision.priority == 1  # 2, one step up for gold
    assert decide_handoff(intent, "收到的耳机是坏的", member_level="silver") is None


def test_urgent_reasons_come_before_a_plain_request():
    assert R.ANGRY.priority < R.REQUESTED.priority
    assert R.COMPLAINT.priority < R.REQUESTED.priority
    assert R.VIP_PROBLEM.priority < R.REQUESTED.priority
    assert R.REQUESTED.priority < R.UNKNOWN_ANSWER.priority


def test_the_most_urgent_trigger_names_the_case_and_all_are_kept():
    decision = decide_handoff("complain", "气死了 三次都发错", fallbacks_in_a_row=3, knowledge_unknown=True)
    assert decision.reason is R.ANGRY  # angry and complaint share priority 1: anger is declared first
    assert decision.triggers == (R.ANGRY, R.COMPLAINT, R.REPEATED_FALLBACK, R.UNKNOWN_ANSWER)
    assert decision.labels == "情绪激动、投诉/索赔、机器人多次没听懂、知识库答不上来"


def test_a_request_outranks_an_unanswered_question():
    decision = decide_handoff("request_human", "转人工", knowledge_unknown=True)
    assert decision.reason is R.REQUESTED


def test_a_gold_member_waits_less_but_never_beyond_the_top():
    assert decide_handoff("request_human", "转人工", member_level="gold").priority == 2
    assert decide_handoff("complain", "我要投诉", member_level="gold").priority == 1
    assert priority_for(R.UNKNOWN_ANSWER, "gold") == 3
    assert priority_for(R.UNKNOWN_ANSWER, "regular") == 4


def test_every_reason_has_a_chinese_label_and_a_priority():
    for reason in HandoffReason:
        assert reason.label and all("\u4e00" <= char <= "\u9fff" or char in "/" for char in reason.label)
        assert 1 <= reason.priority <= 4
        assert HandoffReason(reason.value) is reason
