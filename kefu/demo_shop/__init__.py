"""The demo shop — seed data, fake people and the reference shop API — beside
the assistant: nothing in it imports this package, only its own commands and
the tests do (see docs/demo_shop.md)."""
