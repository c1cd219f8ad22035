"""The handoff in Rasa's conversation (the tracker): an agent's reply logged as the bot's message naming
the agent, and the conversation handed back to the bot. Each function expects the caller to hold Rasa's
lock for the conversation (``agent.lock_store``)."""

from __future__ import annotations

from typing import Any, List, Optional

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed, Event, SlotSet

from kefu.handoff.case_store import Message
from kefu.handoff.delivery import agent_payload
from kefu.names import HANDOFF_STATUS_SLOT


def resume_events(domain: Any) -> List[Event]:
    """What hands a conversation back to the bot.

    ``action_listen`` after the resume: the handoff action paused the bot
    before it could listen, and the policies expect the shopper's next
    message to follow a listen, as after any other bot turn.
    """
    events: List[Event] = [ConversationResumed()]
    if HANDOFF_STATUS_SLOT in {slot.name for slot in domain.slots}:
        events.append(SlotSet(HANDOFF_STATUS_SLOT, None))
    events.append(ActionExecuted(ACTION_LISTEN_NAME))
    return events


async def resume_if_paused(agent: Any, sender_id: str) -> bool:
    """Hand the conversation back to the bot (``ConversationResumed``) if it is paused; whether it was.

    A conversation that is not paused (a ticket, or a case the shopper never
    wrote to after it was opened outside the handoff action) is left exactly
    as it is.
    """
    tracker = await agent.processor.get_tracker(sender_id)
    if not tracker.is_paused():
        return False
    tracker.update_with_events(resume_events(agent.domain), agent.domain)
    await agent.processor.save_tracker(tracker)
    return True


async def record_agent_message(agent: Any, sender_id: str, message: Message, agent_name: Optional[str]) -> Optional[str]:
    """Log the agent's reply in the tracker as a ``BotUttered`` naming the agent; the shopper's input channel.

    The tracker then holds the whole conversation: the bot's turns, the
    shopper's messages during the handoff and the agent's replies.
    """
    tracker = await agent.processor.get_tracker(sender_id)
    payload = agent_payload(sender_id, message, agent_name)
    tracker.update(BotUttered(message.text, data={}, metadata=payload["metadata"]))
    await agent.processor.save_tracker(tracker)
    return tracker.get_latest_input_channel()
