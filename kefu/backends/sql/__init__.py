"""SQLAlchemy implementations of the backend interfaces, on the tables of
``kefu.storage.models``."""
