"""Custom Rasa NLU components for colloquial Chinese (why each is there: docs/nlu.md)."""
