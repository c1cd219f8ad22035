"""Custom Rasa NLU components for colloquial Chinese."""
