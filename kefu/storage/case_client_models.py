"""Which client a handoff case came from, as the channel saw it (``kefu.security.client.client_key``:
``ip:1.2.3.4``, else ``sender:<id>``), so that one client cannot fill the agents' queue or file tickets
without limit (kefu/handoff/limits.py).

A table of its own beside ``handoff_cases`` rather than a column in it: sharing the handoff tables' Base,
``create_handoff_schema`` adds it to a database made before it, which a new column would not get.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String

from kefu.storage.handoff_models import Base


class CaseClient(Base):
    __tablename__ = "case_clients"

    # Deleting a case (the retention purge) deletes its client row with it.
    case_id = Column(Integer, ForeignKey("handoff_cases.id", ondelete="CASCADE"), primary_key=True)
    client_key = Column(String(255), nullable=False, index=True)
