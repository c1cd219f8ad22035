"""Never silent when the action server is not: inside the Rasa server, a custom action that cannot be run
(action server down, slower than ACTION_TIMEOUT, an error or an answer that is not one) still gives the
shopper a reply — an apology with the offer of a human, once per turn — and 转人工 still reaches the
agents: the case is opened here, straight in the handoff database, and the conversation paused, as the
handoff action would have done (CONTRACT §3). docs/security.md: never silent.

Rasa 3.6 (pinned: 3.6.21) raises from ``RemoteAction.run`` in all those cases, and its processor logs the
error and carries on with no events at all: nothing is said and nothing lands in the tracker. There is no
hook between the two, so :func:`install` wraps ``RemoteAction.run`` itself; what the wrapper returns in
place of the action's events goes the way the action's own would (its ``BotUttered`` are sent through the
shopper's channel, REST or socket.io, and logged in the tracker). It also bounds the call: Rasa's own
limit is five minutes, far past any shopper's patience.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME, REQUESTED_SLOT
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from kefu.handoff.context import transcript
from kefu.handoff.hours import can_hand_off_now
from kefu.handoff.service import handoff_service
from kefu.handoff.triggers import decide_handoff
from kefu.names import HANDOFF_STATUS_SLOT, HANDOFF_TO_HUMAN_ACTION, REQUEST_HUMAN_INTENT
from kefu.replies import render
from kefu.security.client import client_key
from kefu.settings import Settings

logger = logging.getLogger(__name__)

# Marks the apology in the tracker (a BotUttered's metadata), so that a turn apologises once.
OUTAGE_METADATA_KEY = "kefu_outage"
_INSTALLED = "_kefu_outage_guard"


def install(timeout_seconds: Optional[float] = None) -> None:
    """Guard every custom action of this process (once; a second call changes nothing)."""
    if getattr(RemoteAction.run, _INSTALLED, False):
        return
    timeout = timeout_seconds if timeout_seconds is not None else Settings.from_env().action_timeout_seconds
    unguarded = RemoteAction.run

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        try:
            return await asyncio.wait_for(unguarded(self, output_channel, nlg, tracker, domain), timeout=timeout)
        except ActionExecutionRejection:
            raise  # the action server's own "not this way" (a form's rejection): ordinary dialogue
        except Exception as error:  # down, slow, 5xx or garbage: whatever it was, the shopper is answered
            what = "did not answer within %.1fs" % timeout if isinstance(error, asyncio.TimeoutError) else repr(error)
            logger.error("custom action %s could not be run (%s); answering without it", self.name(), what)
            return await events_without_action_server(self.name(), tracker)

    setattr(run, _INSTALLED, True)
    run.__wrapped__ = unguarded  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[assignment]


async def events_without_action_server(action_name: str, tracker: Any) -> List[Event]:
    """What the Rasa server does in place of ``action_name`` when the action server cannot run it."""
    if action_name == ACTION_SESSION_START_NAME:
        # Rasa's plain session start, carrying nothing over: our own one decides what identity may be
        # kept, and without it nothing is. No apology: the turn's action answers (or apologises).
        return [SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)]
    if apologised_this_turn(tracker):
        return []
    if action_name == HANDOFF_TO_HUMAN_ACTION:
        return await _hand_off_anyway(tracker)
    return [apology("outage_apology")]


def apology(template: str) -> BotUttered:
    reply = render(template)
    data: Dict[str, Any] = {"buttons": reply["buttons"]} if reply.get("buttons") else {}
    return BotUttered(reply["text"], data=data, metadata={OUTAGE_METADATA_KEY: True})


def apologised_this_turn(tracker: Any) -> bool:
    """Whether the bot has already apologised for the action server since the shopper's last message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.metadata.get(OUTAGE_METADATA_KEY):
            return True
    return False


async def _hand_off_anyway(tracker: Any) -> List[Event]:
    try:
        agent_available = await asyncio.to_thread(open_case_without_action_server, tracker)
    except Exception:  # the handoff database too (or its limits): at least the shopper is told
        logger.exception("could not open a handoff case for %s without the action server", tracker.sender_id)
        return [apology("outage_no_human")]
    leave_form: List[Event] = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)] if tracker.active_loop_name else []
    said = apology("outage_handoff_queued" if agent_available else "outage_handoff_later")
    # As the handoff action ends: the bot is quiet until an agent closes the case.
    return [said, *leave_form, SlotSet(HANDOFF_STATUS_SLOT, "queued"), ConversationPaused()]


def open_case_without_action_server(tracker: Any) -> bool:
    """Opens (or finds) the shopper's case with what the Rasa server knows: the transcript and the reason;
    not the CRM profile or orders (the action server's part). Whether an agent can take it now."""
    message = tracker.latest_message
    metadata = (message.metadata if message is not None else None) or {}
    text = message.text if message is not None else None
    intent = (message.intent or {}).get("name") if message is not None else None
    decision = decide_handoff(intent, text) or decide_handoff(REQUEST_HUMAN_INTENT, text)
    service = handoff_service()
    service.open_case(
        tracker.sender_id,
        decision,
        channel=metadata.get("channel") or tracker.get_latest_input_channel() or None,
        intent=intent,
        transcript=transcript([event.as_dict() for event in tracker.events]),
        client_key=client_key(metadata, tracker.sender_id),
    )
    return can_hand_off_now(None, service.engine).available
