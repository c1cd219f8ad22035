"""Between the shopper's channel, the bot and the agent, inside the Rasa server: the rules every
handoff-aware channel applies to a shopper's message (a channel mixes in ``HandoffChannel``), and the
delivery rounds of a channel that pushes. docs/handoff.md: the relay."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import ConversationPaused

from kefu.channels.clients import notice
from kefu.handoff.conversation import resume_if_paused
from kefu.handoff.delivery import LiveSenderFactory, Sender, deliver_pending
from kefu.handoff.service import DATABASE_ERRORS, handoff_service

logger = logging.getLogger(__name__)

# Between the two tries to store a shopper's message for the agent: a locked
# SQLite file or a reconnecting pool is usually back by then.
STORE_RETRY_PAUSE_SECONDS = 0.2


class NotStored(Exception):
    """A shopper's message for the agent could not be stored, even on a second try."""


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


async def deliver_to_connected(agent: Any, connected: LiveSenderFactory) -> int:
    """One round for a channel that pushes: the pending agent messages of every shopper connected to it.

    ``connected`` gives a Sender for a shopper connected to this server (None
    for the others), as the channel's live sender does; the shoppers with
    pending messages come from one query. Each delivery is under the
    shopper's lock. A shopper whose delivery fails does not hold up the
    others. How many messages went out.
    """
    service = handoff_service()
    sender_ids = await asyncio.to_thread(service.senders_awaiting_delivery)
    delivered = 0
    for sender_id in sender_ids:
        send = connected(sender_id)
        if send is None:
            continue
        try:
            async with agent.lock_store.lock(sender_id):
                delivered += await deliver_pending(service, sender_id, send)
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
                return
            send = sender_to(message.sender_id) if sender_to is not None else None
            taken = await handle_message(self.rasa_agent, message, send,
                                         deliver_waiting=self.may_deliver_agent_replies(message))
            if not taken:
                self.message_lost(message)

        return handle

    def may_deliver_agent_replies(self, message: UserMessage) -> bool:
        """Whether this turn may carry the agent's waiting replies (a channel that cannot tell the
        shopper from someone who only knows their sender id says no)."""
        return True

    def message_lost(self, message: UserMessage) -> None:
        """The message could not be stored for the agent and the shopper was asked to resend it."""

    def remember_app(self, blueprint: Any) -> None:
        """Keep the Sanic app (its ``ctx.agent``) when the server starts."""

        @blueprint.listener("before_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

    @property
    def rasa_agent(self) -> Any:
        """The server's Rasa agent; None before the server starts (or while it has none)."""
        return getattr(self._app.ctx, "agent", None) if self._app is not None else None


async def handle_message(agent: Any, message: UserMessage, send: Optional[Sender] = None,
                         deliver_waiting: bool = True) -> bool:
    """Replaces ``Agent.handle_message`` for the handoff-aware channels; False when the shopper was
    asked to send the message again (it reached neither the bot nor the agent).

    Under the conversation's lock: first the agents' replies still waiting
    (through ``send``; by default into the turn's own output channel; not at
    all unless ``deliver_waiting``), then the message goes to the agent while
    the shopper has an open case (the bot stays quiet, the tracker paused),
    else to the bot (a pause left without a case is lifted first).

    Handoff database trouble never silences the shopper's message: it goes
    to the bot as usual, unless the conversation is paused (most likely an
    agent has it, and the paused bot would drop it without a word) or the
    message could not be stored for the agent even on a second try; then the
    shopper is told to send it again.
    """
    if agent is None or not agent.is_ready():
        logger.info("Ignoring message as there is no agent to handle it.")
        return True
    sender_id = message.sender_id
    send = send or output_sender(message.output_channel, sender_id)
    async with agent.lock_store.lock(sender_id):
        try:
            # First what the agent wrote before this message, so the shopper
            # reads the conversation in the order it happened.
            service = handoff_service()
            if deliver_waiting:
                await deliver_pending(service, sender_id, send)
            case = await asyncio.to_thread(service.open_case_of, sender_id)
        except DATABASE_ERRORS:
            if (await agent.processor.get_tracker(sender_id)).is_paused():
                logger.exception("handoff database unavailable; %s is asked to resend", sender_id)
                await _ask_to_resend(sender_id, send)
                return False
            logger.exception("handoff database unavailable; %s talks to the bot", sender_id)
            await agent.processor.handle_message(message)
            return True
        try:
            relayed = case is not None and await _relay_to_agent(agent, message)
        except NotStored:
            logger.exception("could not store %s's message for the agent; asked to resend", sender_id)
            await _ask_to_resend(sender_id, send)
            return False
        if not relayed:
            if await resume_if_paused(agent, sender_id):
                logger.warning("conversation %s was paused without an open case; the bot resumes", sender_id)
            await agent.processor.handle_message(message)
        return True


async def _ask_to_resend(sender_id: str, send: Sender) -> None:
    await send([notice(sender_id, "channel_resend")])


async def _relay_to_agent(agent: Any, message: UserMessage) -> bool:
    """Store the message for the agent and log it in the paused tracker; False if the case closed meanwhile."""
    text = message.text or ""
    if not text:
        return True  # nothing said: nothing to store, the bot stays quiet, agent messages still go out
    stored = await _store_for_agent(message.sender_id, text)
    if stored is None:
        return False
    tracker = await agent.processor.log_message(message, should_save_tracker=False)
    if not tracker.is_paused():
        tracker.update(ConversationPaused())
    await agent.processor.save_tracker(tracker)
    return True


async def _store_for_agent(sender_id: str, text: str) -> Any:
    """``add_shopper_message``, tried a second time after a database error; NotStored if that fails too."""
    service = handoff_service()
    try:
        return await asyncio.to_thread(service.add_shopper_message, sender_id, text)
    except DATABASE_ERRORS:
        logger.warning("could not store %s's message for the agent; trying once more", sender_id, exc_info=True)
    await asyncio.sleep(STORE_RETRY_PAUSE_SECONDS)
    try:
        return await asyncio.to_thread(service.add_shopper_message, sender_id, text)
    except DATABASE_ERRORS as error:
        raise NotStored(sender_id) from error
