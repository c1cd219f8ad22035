"""What a handoff reads from the conversation so far: the transcript for the agent and the facts behind
the trigger."""

from kefu.handoff.case_store import TranscriptLine
from kefu.handoff.context import handoff_facts, transcript
from kefu.replies import render
from kefu.storage.clock import SHOP_TZ


def user(text, intent="greet", timestamp=None):
    return {"event": "user", "text": text, "timestamp": timestamp,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}


def bot(template):
    reply = render(template)
    return {"event": "bot", "text": reply["text"], "data": {"buttons": reply.get("buttons") or []}}


def test_the_transcript_has_every_message_in_order_and_nothing_else():
    events = [
        {"event": "action", "name": "action_listen"},
        user("在吗", timestamp=1_700_000_000),
        {"event": "bot", "text": "亲，在的"},
        {"event": "slot", "name": "order_id", "value": "2024111100001"},
        {"event": "bot", "text": None},
        user("转人工"),
    ]
    lines = transcript(events)
    assert [(line.who, line.text) for line in lines] == [("shopper", "在吗"), ("bot", "亲，在的"), ("shopper", "转人工")]
    assert lines[0].at.tzinfo == SHOP_TZ and lines[0].at.timestamp() == 1_700_000_000
    assert lines[1] == TranscriptLine("bot", "亲，在的", None)


def test_misunderstood_messages_before_this_one_are_counted():
    events = [user("你好"), user("阿巴阿巴", "nlu_fallback"), user("咕噜咕噜", "nlu_fallback"), user("人工")]
    assert handoff_facts(events, "人工").fallbacks_in_a_row == 2
    assert handoff_facts([user("你好"), user("人工")], "人工").fallbacks_in_a_row == 0


def test_the_bots_last_reply_tells_why_an_agent_was_offered():
    unknown = handoff_facts([user("能进烤箱吗"), bot("knowledge_unknown"), user("/request_human")], "/request_human")
    assert unknown.knowledge_unknown and not unknown.verification_locked and unknown.agent_offer_accepted
    locked = handoff_facts([user("0000"), bot("verification_locked"), user("好的")], "好的")
    assert locked.verification_locked and not locked.knowledge_unknown and not locked.agent_offer_accepted


def test_an_older_offer_does_not_count():
    events = [user("能进烤箱吗"), bot("knowledge_unknown"), user("哦"), {"event": "bot", "text": "亲，还有什么可以帮您"},
              user("/request_human")]
    facts = handoff_facts(events, "/request_human")
    assert not facts.knowledge_unknown and not facts.agent_offer_accepted
