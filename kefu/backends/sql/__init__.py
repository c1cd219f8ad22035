"""SQLAlchemy implementations of the backend interfaces, on the shop schema
in ``kefu.shop.models``."""
