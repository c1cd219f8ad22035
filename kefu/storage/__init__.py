"""The assistant's own database: engine, tables, shop time, places and money.

The ground floor: every other part of ``kefu`` may use it, and it uses
nothing above it (only ``kefu.settings``). One database (``DATABASE_URL``)
holds the shop's data when ``SHOP_BACKEND=sql``, and always the assistant's
own records: imported knowledge, handoff cases and agents.
"""
