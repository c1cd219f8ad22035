"""Rasa input channels that know about human handoff: Rasa's own REST and socket.io channels (same names,
URLs and payloads), except that a shopper with an open handoff case talks to the agent, not to the bot
(``relay``), and the agent's replies come back through the same channel."""
