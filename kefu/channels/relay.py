"""Between the shopper's channel, the bot and the agent, inside the Rasa server.

One set of rules for every channel, applied to each message a shopper sends:

* A shopper with an open case (queued or claimed) is talking to an agent.
  The message is stored for the agent (``HandoffService.add_shopper_message``)
  and logged in the tracker; the bot does not run at all. The tracker is kept
  paused while the case is open, also when Rasa's session expiry has reset
  the pause or the case was opened by something other than
  ``action_handoff_to_human``: "not answered by the bot" must not depend on
  the tracker's state being right.
* A shopper without an open case is talking to the bot. A pause left behind
  without an open case (the server stopped between closing a case and
  resuming the tracker) is lifted first, so nobody stays with a silent bot.
* With each of the shopper's messages, the agent's replies not yet delivered
  to this shopper go out first, through the channel the shopper is using (in the REST webhook's JSON,
  on the socket). A channel that can push (socket.io) also registers a live
  sender, which the workspace uses the moment the agent sends a reply, and
  runs ``deliver_periodically`` for the replies written on another replica.

A channel gets all this by mixing in ``HandoffChannel`` (see there).

Everything for one shopper runs under Rasa's lock for that conversation
(``agent.lock_store``), so a shopper's turn, an agent's reply and a delivery
never interleave and no agent message goes out twice. The lock is not
re-entrant: functions documented "under the lock" expect the caller to hold it.

Handoff database trouble never silences the bot: the message is then handled
by Rasa as if this module were not there (a paused conversation stays paused).
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, ConversationResumed, Event, SlotSet
from sqlalchemy.exc import SQLAlchemyError

from kefu.backends.errors import BackendFailure
from kefu.handoff import agents as agent_accounts
from kefu.handoff.cases import HandoffService, Message
from kefu.handoff.models import create_handoff_schema
from kefu.settings import Settings
from kefu.storage.clock import in_shop_time
from kefu.storage.db import make_engine

logger = logging.getLogger(__name__)

# What the handoff database can throw at us: the service's own errors, and the
# raw SQLAlchemy errors of kefu.handoff.agents.
DATABASE_ERRORS = (BackendFailure, SQLAlchemyError)

# The slot actions/handoff.py sets while a case waits; cleared when the bot
# resumes so that the dialogue policies see a conversation without a handoff.
HANDOFF_STATUS_SLOT = "handoff_status"

# Sends agent messages (as payloads, see ``agent_payload``) to one shopper.
Sender = Callable[[List[Dict[str, Any]]], Awaitable[None]]
# For a channel that can push: a Sender for the shopper if they are connected now.
LiveSenderFactory = Callable[[str], Optional[Sender]]

_live_senders: Dict[str, LiveSenderFactory] = {}


@lru_cache(maxsize=1)
def handoff_service() -> HandoffService:
    """The handoff service of this process, on DATABASE_URL (the shop database by default)."""
    engine = make_engine()
    create_handoff_schema(engine)
    return HandoffService(engine, Settings.from_env())


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


def output_sender(output_channel: OutputChannel, recipient_id: str) -> Sender:
    """Agent messages into the reply of the shopper's own turn."""

    async def send(payloads: List[Dict[str, Any]]) -> None:
        for payload in payloads:
            if isinstance(output_channel, CollectingOutputChannel):
                # The collector is the webhook's JSON body (or its stream): the
                # payload goes in whole, with the agent's name in its metadata.
                await output_channel._persist_message(payload)
            else:
                await output_channel.send_text_message(recipient_id, payload["text"])

    return send


def register_live_channel(channel_name: str, senders: LiveSenderFactory) -> None:
    """Let the workspace push agent messages to shoppers on ``channel_name`` (its Rasa input channel name)."""
    _live_senders[channel_name] = senders


def live_sender(channel_name: Optional[str], sender_id: str) -> Optional[Sender]:
    factory = _live_senders.get(channel_name or "")
    return factory(sender_id) if factory is not None else None


async def deliver_pending(sender_id: str, send: Sender, after: Optional[int] = None) -> int:
    """Send the agents' undelivered messages to the shopper and mark them delivered; how many.

    Under the lock. A message whose sending fails stays undelivered and is
    tried again with the shopper's next turn (or poll). With ``after`` (the
    id of the last agent message the client has seen) every agent message
    after it goes out, also the ones already delivered
    (``HandoffService.agent_messages_after``): for a client that may have
    lost a response.
    """
    service = handoff_service()
    messages, payloads = await asyncio.to_thread(_pending_payloads, service, sender_id, after)
    if not payloads:
        return 0
    await send(payloads)
    await asyncio.to_thread(service.mark_delivered, [message.id for message in messages])
    return len(payloads)


def agent_names(engine: Any, messages: List[Message]) -> Dict[Optional[str], Optional[str]]:
    """{author username: display name} for the messages' authors (a removed agent keeps their username)."""
    return agent_accounts.display_names(engine, (message.author for message in messages))


def _pending_payloads(service: HandoffService, sender_id: str,
                     after: Optional[int] = None) -> Tuple[List[Message], List[Dict[str, Any]]]:
    if after is None:
        messages = service.undelivered_agent_messages(sender_id)
    else:
        messages = service.agent_messages_after(sender_id, after)
    names = agent_names(service.engine, messages)
    return messages, [agent_payload(sender_id, message, names[message.author]) for message in messages]


async def deliver_to_connected(agent: Any, connected: LiveSenderFactory) -> int:
    """One round for a channel that pushes: the pending agent messages of every shopper connected to it.

    ``connected`` gives a Sender for a shopper connected to this server (None
    for the others), as the channel's live sender does; the shoppers with
    pending messages come from one query. Each delivery is under the
    shopper's lock. A shopper whose delivery fails does not hold up the
    others. How many messages went out.
    """
    sender_ids = await asyncio.to_thread(handoff_service().senders_awaiting_delivery)
    delivered = 0
    for sender_id in sender_ids:
        send = connected(sender_id)
        if send is None:
            continue
        try:
            async with agent.lock_store.lock(sender_id):
                delivered += await deliver_pending(sender_id, send)
        except Exception:  # the messages stay undelivered: the next round tries again
            logger.exception("could not deliver agent messages to %s", sender_id)
    return delivered


async def deliver_periodically(agent_of: Callable[[], Any], connected: LiveSenderFactory, seconds: float) -> None:
    """``deliver_to_connected`` every ``seconds``, until cancelled; for a channel's background task.

    With several Rasa servers, an agent's reply may be written on a server the
    shopper is not connected to; this is how it reaches them there without
    waiting for their next message. ``agent_of`` gives the server's Rasa agent
    (read each round: a model can be loaded meanwhile). Nothing stops the
    rounds but cancelling: database trouble is logged and the next round
    tries again.
    """
    while True:
        await asyncio.sleep(seconds)
        agent = agent_of()
        if agent is None or not agent.is_ready():
            continue
        try:
            await deliver_to_connected(agent, connected)
        except DATABASE_ERRORS:
            logger.exception("could not look for agent messages to deliver")
        except Exception:  # a bug must not end delivery for every shopper of this server
            logger.exception("delivery round failed")


class HandoffChannel:
    """Mixin for a Rasa input channel whose shoppers' messages go through this module.

    In ``blueprint``, pass Rasa's ``on_new_message`` through ``handoff_handler``
    to the parent's blueprint, and call ``remember_app`` on the blueprint it
    returns. Started by a Sanic server (``rasa run``), every message then goes
    to ``handle_message``; otherwise (no server, so no agent to take it from:
    Rasa's own tooling building the channel) to ``on_new_message`` as before.
    """

    _app: Optional[Any] = None  # the Sanic app, once a server starts

    def handoff_handler(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                        sender_to: Optional[Callable[[str], Sender]] = None) -> Callable[[UserMessage], Awaitable[Any]]:
        """What the channel's parent blueprint gets as on_new_message.

        ``sender_to`` gives the Sender of the shopper's agent messages; by
        default they join the turn's own output channel.
        """

        async def handle(message: UserMessage) -> None:
            if self._app is None:  # not started by a Sanic server: plain Rasa
                await on_new_message(message)
            else:
                send = sender_to(message.sender_id) if sender_to is not None else None
                await handle_message(self.rasa_agent, message, send)

        return handle

    def remember_app(self, blueprint: Any) -> None:
        """Keep the Sanic app (its ``ctx.agent``) when the server starts."""

        @blueprint.listener("before_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

    @property
    def rasa_agent(self) -> Any:
        """The server's Rasa agent; None before the server starts (or while it has none)."""
        return getattr(self._app.ctx, "agent", None) if self._app is not None else None


async def handle_message(agent: Any, message: UserMessage, send: Optional[Sender] = None) -> None:
    """Replaces ``Agent.handle_message`` for the handoff-aware channels (the rules above).

    ``send`` delivers the pending agent messages before the turn; by default
    they join the turn's own output channel.
    """
    if agent is None or not agent.is_ready():
        logger.info("Ignoring message as there is no agent to handle it.")
        return
    sender_id = message.sender_id
    send = send or output_sender(message.output_channel, sender_id)
    async with agent.lock_store.lock(sender_id):
        try:
            # First what the agent wrote before this message, so the shopper
            # reads the conversation in the order it happened.
            await deliver_pending(sender_id, send)
            case = await asyncio.to_thread(handoff_service().open_case_of, sender_id)
        except DATABASE_ERRORS:
            logger.exception("handoff database unavailable; %s talks to the bot", sender_id)
            await agent.processor.handle_message(message)
            return
        if case is None or not await _relay_to_agent(agent, message):
            if await resume_if_paused(agent, sender_id):
                logger.warning("conversation %s was paused without an open case; the bot resumes", sender_id)
            await agent.processor.handle_message(message)


async def _relay_to_agent(agent: Any, message: UserMessage) -> bool:
    """Store the message for the agent and log it in the paused tracker; False if the case closed meanwhile."""
    text = message.text or ""
    if not text:
        return True  # nothing said: nothing to store, the bot stays quiet, agent messages still go out
    stored = await asyncio.to_thread(handoff_service().add_shopper_message, message.sender_id, text)
    if stored is None:
        return False
    tracker = await agent.processor.log_message(message, should_save_tracker=False)
    if not tracker.is_paused():
        tracker.update(ConversationPaused())
    await agent.processor.save_tracker(tracker)
    return True


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

    Under the lock. A conversation that is not paused (a ticket, or a case
    the shopper never wrote to after it was opened outside the handoff
    action) is left exactly as it is.
    """
    tracker = await agent.processor.get_tracker(sender_id)
    if not tracker.is_paused():
        return False
    tracker.update_with_events(resume_events(agent.domain), agent.domain)
    await agent.processor.save_tracker(tracker)
    return True


async def record_agent_message(agent: Any, sender_id: str, message: Message, agent_name: Optional[str]) -> Optional[str]:
    """Log the agent's reply in the tracker as a ``BotUttered`` naming the agent; the shopper's input channel.

    Under the lock. The tracker then holds the whole conversation: the bot's
    turns, the shopper's messages during the handoff and the agent's replies.
    """
    tracker = await agent.processor.get_tracker(sender_id)
    payload = agent_payload(sender_id, message, agent_name)
    tracker.update(BotUttered(message.text, data={}, metadata=payload["metadata"]))
    await agent.processor.save_tracker(tracker)
    return tracker.get_latest_input_channel()
