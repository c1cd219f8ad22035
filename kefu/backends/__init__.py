"""The shop's systems as the assistant sees them — orders and logistics,
catalogue and inventory, customers, after-sales changes — each one small
interface with an SQL implementation (``sql/``) and an HTTP one (``http/``),
chosen by ``factory.py`` (see docs/backends.md)."""
