"""Failed proofs of an order (order number + the phone's last four digits), kept in the database so
that a new sender id, ``/restart`` or a restart of the action server does not wipe the count
(kefu/security/verification.py reads and prunes them). On the handoff Base: rebuilding the demo shop
keeps them, and :func:`kefu.storage.handoff_schema.create_handoff_schema` creates the table."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String

from kefu.storage.handoff_models import Base


class VerificationFailure(Base):
    """One proof attempt that was not (yet) right. An attempt is written before the answer is checked,
    so that guesses sent at the same moment count against each other; a right answer removes its row."""

    __tablename__ = "verification_failures"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(32), nullable=False)
    # kefu.security.client.client_key: "ip:203.0.113.7", or "sender:<id>" when no channel stamped an IP.
    client_key = Column(String(300), nullable=False)
    # Unix seconds: counted against wall time, whatever the shop's clock says.
    failed_at = Column(Float, nullable=False, index=True)

    __table_args__ = (
        Index("verification_failures_per_order", "order_id", "failed_at"),
        Index("verification_failures_per_client", "client_key", "failed_at"),
    )
