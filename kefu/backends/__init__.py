"""The shop's systems as the assistant sees them: orders and logistics,
catalogue and inventory, customers (CRM).

Each domain has one small interface (``orders.py``, ``catalogue.py``,
``customers.py``) returning plain dataclasses, with an SQL implementation in
``sql/`` and an HTTP one in ``http/``. ``factory.py`` picks one from the
configuration. Not-found is ``None``; failures raise the exceptions in
``errors.py``.

``after_sales.py`` is the one interface that changes the shop (returns,
exchanges, cancellation, address, problem reports); a change the shop
refuses raises ``AfterSalesRejected`` with a code, which is an answer and
not a failure.
"""
