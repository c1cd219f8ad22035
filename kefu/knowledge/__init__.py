"""The merchant's knowledge: promotion rules and size charts, and the plain-Python
engines that answer shoppers from them.

Merchants change prices, promotions and size charts every week, so all of it is
read from their YAML files (samples in ``samples/``) and validated on loading:
a bad entry is reported with file, line and reason (``sources.KnowledgeFileError``)
instead of silently changing an answer.

- ``promotions/``: the promotion engine (final price of a basket, line by line;
  stacking questions; next full-reduction tier; multi-buy quotes; price protection).
- ``size_charts.py``, ``body_measurements.py``, ``size_advice.py``: which size fits.
- ``phrases.yml``: everything these engines say to a shopper.

Nothing here imports Rasa; the actions call it.
"""
