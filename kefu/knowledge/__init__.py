"""The merchant's knowledge — catalogue words, promotions, size charts,
policies and FAQ — imported from the merchant's files (``importer/``), read
back on every answer (``store.py``), and the plain-Python engines that answer
shoppers from it; nothing here imports Rasa (see docs/knowledge.md)."""

from pathlib import Path

# The sample files: what the demo shop is built from and `make import` imports by default.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
