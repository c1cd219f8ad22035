"""Handing a conversation over to a human agent: why and how urgently (``emotion``, ``triggers``, ``context``),
the cases with their queue, messages and tickets (``service`` over ``queue``, ``messages``, ``tickets``),
business hours, agents' accounts, the customer's profile, suggested replies, and the agents' replies on
their way back into the conversation (``delivery``, ``conversation``); docs/handoff.md tells the whole."""
