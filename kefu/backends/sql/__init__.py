"""SQLAlchemy implementations of the backend interfaces, on the shop schema
in ``kefu.storage.models``."""
