"""The merchant's knowledge: promotion rules and size charts, and the plain-Python
engines that answer shoppers from them.

Merchants change prices, promotions, policies and size charts every week, so
all of it comes from their files (samples in ``samples/``, which the demo shop
is built from): ``importer/`` validates them (a bad row is reported with file,
line and reason, ``sources.KnowledgeFileError``) and writes them to the shop
database; ``store.py`` reads them back on every answer, so a re-import changes
what the running bot says without retraining.

- ``promotions/``: the promotion engine (final price of a basket, line by line;
  stacking questions; next full-reduction tier; multi-buy quotes; price protection).
- ``size_charts.py``, ``body_measurements.py``, ``size_advice.py``: which size fits.
- ``importer/`` (``make import``), ``store.py``: loading the merchant's files, reading them back.
- ``recommendation.py``: ranking in-stock products for a shopper's needs.
- ``phrases.yml``: everything these engines say to a shopper.

Nothing here imports Rasa; the actions call it.
"""
