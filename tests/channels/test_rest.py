"""The handoff-aware REST channel, on a real Rasa server: /webhooks/rest/webhook unchanged for the bot,
quiet while an agent has the conversation, and the agent's replies delivered exactly once (or, to a
poller that says what it has seen, again until it has seen them)."""

import requests

from tests.channels.support import AgentClient, Shopper, from_agent, from_bot, message_ids

GREETINGS = "你好"


def test_without_a_case_the_webhook_is_rasas(site):
    shopper = Shopper(site)
    replies = shopper.says(GREETINGS)
    assert len(from_bot(replies)) >= 1 and from_agent(replies) == []
    assert replies[0]["recipient_id"] == shopper.sender
    assert requests.get(f"{site.rasa_url}/webhooks/rest/", timeout=10).json() == {"status": "ok"}


def test_while_a_case_is_open_the_bot_is_quiet_and_the_agent_gets_every_message(site):
    shopper = Shopper(site)
    shopper.says(GREETINGS)
    case = site.open_case(shopper.sender)
    wall_of_text = "我等了好久了" + "啊" * 900  # long, within MESSAGE_MAX_CHARS

    assert shopper.says("在吗？") == []
    assert shopper.says(wall_of_text) == []
    assert shopper.says("   ") == []  # nothing said: nothing stored, still no bot

    stored = [m.text for m in site.service.messages(case.id) if m.direction == "shopper"]
    assert stored == ["在吗？", wall_of_text]
    events = site.tracker_events(shopper.sender)
    assert [e["text"] for e in events if e["event"] == "user"][-2:] == ["在吗？", wall_of_text]
    assert site.is_paused(shopper.sender)
    last_pause = max(i for i, e in enumerate(events) if e["event"] == "pause")
    assert not [e for e in events[last_pause:] if e["event"] in ("bot", "action")]


def with_an_agent(site, *replies):
    """A shopper who talked to the bot, then to an agent who took the case and wrote ``replies``."""
    shopper = Shopper(site)
    shopper.says(GREETINGS)
    case = site.open_case(shopper.sender)
    agent = AgentClient(site)
    agent.claim(case.id)
    for text in replies:
        agent.reply(case.id, text)
    return shopper, case, agent


def test_agent_replies_come_with_the_next_webhook_response_and_only_once(site):
    shopper, case, _ = with_an_agent(site, "亲，我是人工客服，请问有什么可以帮您？", "订单号发我一下哦")

    replies = shopper.says("好的")
    assert from_agent(replies) == ["亲，我是人工客服，请问有什么可以帮您？", "订单号发我一下哦"]
    assert from_bot(replies) == []
    handoff = replies[0]["metadata"]["handoff"]
    assert (handoff["agent"], handoff["case_id"]) == ("演示客服", case.id)
    assert shopper.says("2024111100002") == []
    assert all(m.delivered_at is not None for m in site.service.messages(case.id) if m.direction == "agent")

    bot_events = [e for e in site.tracker_events(shopper.sender) if e["event"] == "bot"]
    agent_events = [e for e in bot_events if "handoff" in (e.get("metadata") or {})]
    assert [e["text"] for e in agent_events] == ["亲，我是人工客服，请问有什么可以帮您？", "订单号发我一下哦"]
    assert agent_events[0]["metadata"]["handoff"]["agent"] == "演示客服"


def test_a_polling_client_gets_the_agents_messages_once(site):
    shopper, _, _ = with_an_agent(site, "在的亲")

    assert from_agent(shopper.polls()) == ["在的亲"]
    assert shopper.polls() == []
    assert from_agent(shopper.says("谢谢")) == []


def test_a_client_that_names_the_last_message_it_saw_gets_a_lost_response_again(site):
    shopper, case, agent = with_an_agent(site, "在的亲")
    seen = shopper.polls()
    assert from_agent(seen) == ["在的亲"]
    agent.reply(case.id, "订单号发我一下哦")

    lost = shopper.polls(after=message_ids(seen)[-1])  # the response never reaches the client
    assert from_agent(lost) == ["订单号发我一下哦"]
    assert all(m.delivered_at is not None for m in site.service.messages(case.id) if m.direction == "agent")
    again = shopper.polls(after=message_ids(seen)[-1])
    assert from_agent(again) == ["订单号发我一下哦"] and message_ids(again) == message_ids(lost)
    assert shopper.polls(after=message_ids(again)[-1]) == []
    assert shopper.polls() == [], "marked delivered: the at-most-once poll has nothing"

    agent.reply(case.id, "已经帮您催了")
    assert from_agent(shopper.polls(after=message_ids(again)[-1])) == ["已经帮您催了"]
    assert from_agent(shopper.says("好的")) == [], "delivered by the poll, not again with the webhook"


def test_after_must_be_a_message_id(site):
    shopper, _, _ = with_an_agent(site, "在的亲")
    for bad in ("abc", "1.5", "12a", "9" * 30):
        answer = shopper.poll(after=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["error"] == "bad_after" and "after" in answer.json()["message"]
    assert from_agent(shopper.polls()) == ["在的亲"], "a refused poll delivers nothing"


def test_polling_needs_a_sender(site):
    answer = requests.get(f"{site.rasa_url}/webhooks/rest/messages", timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] == "missing_sender"


def test_closing_hands_the_shopper_back_to_the_bot_with_the_agents_last_words_first(site):
    shopper = Shopper(site)
    shopper.says(GREETINGS)
    case = site.open_case(shopper.sender)
    shopper.says("人呢")  # pauses the tracker
    agent = AgentClient(site)
    agent.claim(case.id)
    agent.reply(case.id, "已经帮您处理好了，祝您购物愉快～")
    assert agent.close(case.id)["resumed"] is True
    assert not site.is_paused(shopper.sender)

    replies = shopper.says(GREETINGS)
    assert replies[0]["text"] == "已经帮您处理好了，祝您购物愉快～"
    assert from_bot(replies), "the bot answers again"
    events = site.tracker_events(shopper.sender)
    resumed = max(i for i, e in enumerate(events) if e["event"] == "resume")
    until_next_message = events[resumed:next(i for i in range(resumed, len(events)) if events[i]["event"] == "user")]
    assert [e["name"] for e in until_next_message if e["event"] == "action"] == ["action_listen"]
    assert {"event": "slot", "name": "handoff_status", "value": None} in [
        {key: e.get(key) for key in ("event", "name", "value")} for e in until_next_message]


def test_a_pause_left_without_an_open_case_is_lifted(site):
    shopper = Shopper(site)
    shopper.says(GREETINGS)
    requests.post(f"{site.rasa_url}/conversations/{shopper.sender}/tracker/events",
                  json={"event": "pause"}, params=site.assistant.api_params, timeout=10).raise_for_status()
    assert site.is_paused(shopper.sender)

    assert from_bot(shopper.says(GREETINGS)), "nobody is left with a silent bot"
    assert not site.is_paused(shopper.sender)
