"""How a backend says it could not answer.

Not finding something is not an error: lookups return ``None``. These
exceptions mean the question could not be answered at all, so the caller
apologises and offers a human agent instead of guessing.
"""


class BackendFailure(Exception):
    """Base class: the backend could not answer. Catch this in actions."""


class BackendUnavailable(BackendFailure):
    """The backend is down, unreachable or too slow (timed out)."""


class BackendError(BackendFailure):
    """The backend answered, but with something unusable (garbage, wrong shape, server error)."""
