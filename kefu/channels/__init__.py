"""Rasa input channels that know about human handoff: Rasa's own REST and socket.io channels (same names,
URLs and payloads), except that a shopper with an open handoff case talks to the agent, not to the bot
(``relay``), and the agent's replies come back through the same channel. Loading them also guards the
custom actions of the Rasa server, so that a shopper is never left without a reply (``action_outage``),
and masks phone numbers in everything the Rasa server logs (Rasa imports this package when it starts)."""

from kefu.channels import action_outage
from kefu.storage.masking import install_log_masking

action_outage.install()
install_log_masking()
