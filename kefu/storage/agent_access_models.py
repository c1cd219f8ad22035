"""What an agent account may do and how far its sessions reach: its role (``agent`` or ``supervisor``),
the generation of its password (a session issued under an older one is refused: changing the password
logs every browser out) and whether an operator set that password (the demo account is then never
reset by ``make run``). See docs/workspace.md.

A table of its own beside ``agents`` rather than columns in it: sharing the handoff tables' Base,
``create_handoff_schema`` adds it to a database made before it, which new columns would not get. An
agent without a row here is a plain ``agent`` on generation 0 whose password no operator set.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String

from kefu.storage.handoff_models import Base
from kefu.storage.models import _choice

AGENT_ROLE = "agent"
SUPERVISOR_ROLE = "supervisor"
ROLES = (AGENT_ROLE, SUPERVISOR_ROLE)


class AgentAccess(Base):
    __tablename__ = "agent_access"

    username = Column(String(50), ForeignKey("agents.username", ondelete="CASCADE"), primary_key=True)
    role = Column(_choice(ROLES, "agent_role"), nullable=False, default=AGENT_ROLE)
    # Raised with every password change; session tokens carry the generation they were issued under.
    password_generation = Column(Integer, nullable=False, default=0)
    password_set_by_operator = Column(Boolean, nullable=False, default=False)
