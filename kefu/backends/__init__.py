"""The shop's systems as the assistant sees them: orders and logistics,
catalogue and inventory, customers (CRM).

Each domain has one small interface (``orders.py``, ``catalogue.py``,
``customers.py``) returning plain dataclasses, with an SQL implementation in
``sql/`` and an HTTP one in ``http/``. ``factory.py`` picks one from the
configuration. Not-found is ``None``; failures raise the exceptions in
``errors.py``.
"""
