"""The demo shop: seed data, fake people and the reference shop API.

It sits on top of ``kefu.storage``, the backends and the knowledge importer;
nothing in the assistant imports it — only its own commands
(``python -m kefu.demo_shop.seed``, ``python -m kefu.demo_shop.api_server``)
and the tests.
"""
