"""The messages of a case: what the shopper says while it is open, the agents' replies, and which of
those replies still wait for the shopper's channel to deliver them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, List, Optional

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from kefu.handoff import agents as agent_accounts
from kefu.handoff.case_store import CaseStore, Message, as_message
from kefu.storage.handoff_models import AGENT, SHOPPER, SYSTEM, HandoffCase, HandoffMessage
from kefu.handoff.triggers import decide_handoff

# How far back a pushing channel looks for replies to deliver.
PUSH_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Delivery:
    """An agent's reply and where it goes: the shopper's conversation on their channel."""

    sender_id: str
    channel: Optional[str]
    message: Message


class CaseMessages(CaseStore):
    """Storing the messages of open cases and keeping track of their delivery."""

    def add_shopper_message(self, sender_id: str, text: str, now: Optional[datetime] = None) -> Optional[Message]:
        """Store what a waiting (or served) shopper says for the agent; None if no case is open.

        An angry message moves a waiting case up the queue.
        """
        now = self._now(now)

        def change(session: Session) -> Optional[Message]:
            row = self._open_row(session, sender_id)
            if row is None:
                return None
            decision = decide_handoff(None, text, member_level=(row.customer or {}).get("member_level"))
            if decision is not None:
                self._escalate(session, row, decision, now)
            return self._add_message(session, row.id, SHOPPER, text, now)

        return self._gateway.write(change)

    def add_note(self, sender_id: str, text: str, now: Optional[datetime] = None) -> Optional[Message]:
        """A system note in the shopper's open case, for the agent (what a channel reports about the
        shopper's side, e.g. WeChat's reply window closing); None if no case is open."""
        now = self._now(now)

        def change(session: Session) -> Optional[Message]:
            row = self._open_row(session, sender_id)
            return self._add_message(session, row.id, SYSTEM, text, now) if row is not None else None

        return self._gateway.write(change)

    def agent_reply(self, case_id: int, username: str, text: str, now: Optional[datetime] = None) -> Delivery:
        """Store the agent's reply; what comes back is to be sent to the shopper."""
        now = self._now(now)
        text = (text or "").strip()
        if not text:
            raise ValueError("an empty reply")

        def change(session: Session) -> Delivery:
            row = self._held_row(session, case_id, username)
            row.agent_heartbeat_at = now
            message = self._add_message(session, case_id, AGENT, text, now, author=username)
            return Delivery(row.sender_id, row.channel, message)

        delivery = self._gateway.write(change)
        agent_accounts.mark_seen(self.engine, username, now)
        return delivery

    def messages(self, case_id: int, since: Optional[int] = None) -> List[Message]:
        """The case's messages in order; with ``since`` (a message id), only the ones after it."""
        query = select(HandoffMessage).where(HandoffMessage.case_id == case_id)
        if since is not None:
            query = query.where(HandoffMessage.id > since)
        with self._gateway.session() as session:
            return [as_message(row) for row in session.execute(query.order_by(HandoffMessage.id)).scalars()]

    def undelivered_agent_messages(self, sender_id: str) -> List[Message]:
        """Agents' replies the shopper has not been sent yet, oldest first (a closed case's last words too)."""
        with self._gateway.session() as session:
            rows = session.execute(
                select(HandoffMessage)
                .join(HandoffCase, HandoffCase.id == HandoffMessage.case_id)
                .where(
                    HandoffCase.sender_id == sender_id,
                    HandoffMessage.direction == AGENT,
                    HandoffMessage.delivered_at.is_(None),
                )
                .order_by(HandoffMessage.id)
            ).scalars()
            return [as_message(row) for row in rows]

    def agent_messages_after(self, sender_id: str, after: int) -> List[Message]:
        """Agents' replies to the shopper with an id above ``after``, delivered or not, oldest first.

        For a client that says which message it saw last (so that a reply
        lost on the way is sent again). The ones still undelivered come too,
        whatever their id: nothing waits forever behind a larger id.
        """
        their_cases = select(HandoffCase.id).where(HandoffCase.sender_id == sender_id)
        query = select(HandoffMessage).where(
            HandoffMessage.case_id.in_(their_cases),
            HandoffMessage.direction == AGENT,
            or_(HandoffMessage.id > after, HandoffMessage.delivered_at.is_(None)),
        )
        with self._gateway.session() as session:
            return [as_message(row) for row in session.execute(query.order_by(HandoffMessage.id)).scalars()]

    def senders_awaiting_delivery(self, now: Optional[datetime] = None) -> List[str]:
        """The shoppers (sender ids) with agents' replies of the last PUSH_WINDOW not delivered yet, in one query.

        For a channel that pushes: it delivers to those connected to it.
        Older replies (a REST shopper who never came back) are left to the
        shopper's next turn, so the answer does not grow with the years.
        """
        since = self._now(now) - PUSH_WINDOW
        with self._gateway.session() as session:
            return list(session.execute(
                select(HandoffCase.sender_id)
                .join(HandoffMessage, HandoffMessage.case_id == HandoffCase.id)
                .where(HandoffMessage.direction == AGENT, HandoffMessage.delivered_at.is_(None),
                       HandoffMessage.created_at >= since)
                .distinct()
                .order_by(HandoffCase.sender_id)
            ).scalars())

    def mark_delivered(self, message_ids: Iterable[int], now: Optional[datetime] = None) -> int:
        """Record that the shopper's channel took these messages; how many were still waiting."""
        ids = list(message_ids)
        if not ids:
            return 0
        now = self._now(now)

        def change(session: Session) -> int:
            return session.execute(
                update(HandoffMessage)
                .where(HandoffMessage.id.in_(ids), HandoffMessage.delivered_at.is_(None))
                .values(delivered_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount

        return self._gateway.write(change)
