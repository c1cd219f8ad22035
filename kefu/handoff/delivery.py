"""Agents' replies on their way to the shopper: the payload a channel sends, the live senders of channels
that can push, and sending what waits (docs/handoff.md: delivery)."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Tuple

from sqlalchemy.engine import Engine

from kefu.handoff import agents as agent_accounts
from kefu.handoff.case_store import Message
from kefu.handoff.messages import CaseMessages
from kefu.storage.clock import in_shop_time

# Sends agent messages (as payloads, see ``agent_payload``) to one shopper.
Sender = Callable[[List[Dict[str, Any]]], Awaitable[None]]
# For a channel that can push: a Sender for the shopper if they are connected now.
LiveSenderFactory = Callable[[str], Optional[Sender]]

_live_senders: Dict[str, LiveSenderFactory] = {}
# For a channel that can show it: tells a connected shopper that their agent is writing (True) or stopped;
# False when the shopper is not connected to this server.
TypingNotifier = Callable[[str, bool], Awaitable[bool]]
_typing_notifiers: Dict[str, TypingNotifier] = {}


def agent_payload(sender_id: str, message: Message, agent_name: Optional[str]) -> Dict[str, Any]:
    """An agent's message as a channel hands it to the shopper: Rasa's bot-message shape plus who wrote it."""
    return {
        "recipient_id": sender_id,
        "text": message.text,
        "metadata": {
            "handoff": {
                "from": "agent",
                "agent": agent_name,
                "case_id": message.case_id,
                "message_id": message.id,
                "at": in_shop_time(message.created_at).isoformat(),
            }
        },
    }


def agent_names(engine: Engine, messages: Iterable[Message]) -> Dict[Optional[str], Optional[str]]:
    """{author username: display name} for the messages' authors (a removed agent keeps their username)."""
    return agent_accounts.display_names(engine, (message.author for message in messages))


def register_live_channel(channel_name: str, senders: LiveSenderFactory) -> None:
    """Let the workspace push agent messages to shoppers on ``channel_name`` (its Rasa input channel name)."""
    _live_senders[channel_name] = senders


def register_typing_channel(channel_name: str, notifier: TypingNotifier) -> None:
    """Let the workspace show the agent's typing to shoppers on ``channel_name`` (its Rasa input channel name)."""
    _typing_notifiers[channel_name] = notifier


async def notify_typing(channel_name: Optional[str], sender_id: str, typing: bool) -> bool:
    """Tell the shopper their agent is writing; False when their channel cannot show it or they are not here."""
    notifier = _typing_notifiers.get(channel_name or "")
    return await notifier(sender_id, typing) if notifier is not None else False


def live_sender(channel_name: Optional[str], sender_id: str) -> Optional[Sender]:
    factory = _live_senders.get(channel_name or "")
    return factory(sender_id) if factory is not None else None


async def deliver_pending(service: CaseMessages, sender_id: str, send: Sender, after: Optional[int] = None) -> int:
    """Send the agents' undelivered messages to the shopper and mark them delivered; how many.

    Under Rasa's lock for the conversation. A message whose sending fails
    stays undelivered for the next try; with ``after`` (the last agent
    message the client has seen) every later one goes out again.
    """
    messages, payloads = await asyncio.to_thread(_pending_payloads, service, sender_id, after)
    if not payloads:
        return 0
    await send(payloads)
    await asyncio.to_thread(service.mark_delivered, [message.id for message in messages])
    return len(payloads)


def _pending_payloads(service: CaseMessages, sender_id: str,
                      after: Optional[int] = None) -> Tuple[List[Message], List[Dict[str, Any]]]:
    if after is None:
        messages = service.undelivered_agent_messages(sender_id)
    else:
        messages = service.agent_messages_after(sender_id, after)
    names = agent_names(service.engine, messages)
    return messages, [agent_payload(sender_id, message, names[message.author]) for message in messages]
