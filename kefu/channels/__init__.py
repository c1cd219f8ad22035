"""Rasa input channels that know about human handoff.

``rest`` and ``socketio`` are Rasa's own channels (same names, same URLs,
same payloads) with one difference: a shopper who has an open handoff case
talks to the agent, not to the bot (``relay``). Their messages are stored
for the agent and the agent's replies come back through the same channel.
"""
