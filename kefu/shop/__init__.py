"""The demo shop: database schema, connection and the reproducible demo data.

Everything the assistant knows about orders, products and customers comes
from here (directly through ``kefu.backends.sql`` or over HTTP through
``kefu.shop.api_server``).
"""
