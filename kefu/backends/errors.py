"""How a backend says it could not answer at all (not finding something is
``None``, not an error): the caller apologises and offers a human agent."""


class BackendFailure(Exception):
    """Base class: the backend could not answer. Catch this in actions."""


class BackendUnavailable(BackendFailure):
    """The backend is down, unreachable or too slow (timed out)."""


class BackendError(BackendFailure):
    """The backend answered, but with something unusable (garbage, wrong shape, server error)."""
