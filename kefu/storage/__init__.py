"""The assistant's own database — engine, tables, shop time, places and money —
on the ground floor: every part of ``kefu`` may use it, and it uses only
``kefu.settings`` (see docs/backends.md)."""
