"""Handing a conversation over to a human agent (issue 6), in plain Python.

``emotion`` scores how angry a message sounds; ``triggers`` decides whether
a turn calls for a human, why and how urgently; ``cases`` keeps the cases,
the queue and the messages in the database (``models``); ``hours`` says
whether an agent can take over now and what call-back to promise when not;
``agents`` keeps the agents' accounts; ``profile`` copies the customer's
CRM profile and recent orders into a case.
"""
