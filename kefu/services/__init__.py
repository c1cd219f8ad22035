"""Plain-Python services the actions call (no Rasa imports here)."""
