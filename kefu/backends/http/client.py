"""Talking to the shop's REST API with ``requests``: short timeouts, retries
with backoff for what is momentary, and never a second POST once the server
may have acted on the first (see docs/backends.md)."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Dict, Mapping, Optional, Type, TypeVar
from urllib.parse import quote

import requests
from urllib3.exceptions import NewConnectionError

from kefu.backends.after_sales import REJECTION_CODES, AfterSalesRejected
from kefu.backends.deadline import DeadlinePassed, seconds_left
from kefu.backends.errors import BackendError, BackendUnavailable
from kefu.backends.wire import WireFormatError, from_wire
from kefu.settings import Settings

T = TypeVar("T")

log = logging.getLogger(__name__)

# The configured defaults (SHOP_API_TIMEOUT, SHOP_API_RETRIES, SHOP_API_BACKOFF).
DEFAULT_TIMEOUT = Settings.shop_api_timeout_seconds
DEFAULT_RETRIES = Settings.shop_api_retries
DEFAULT_BACKOFF = Settings.shop_api_backoff_seconds
# Overloaded or restarting behind a proxy: worth waiting for. Any other 5xx
# is a fault in the server that the shopper cannot wait out.
_UNAVAILABLE_STATUSES = (502, 503, 504)
# Asking twice has the effect of asking once.
_REPEATABLE_METHODS = ("GET", "PUT")
_SUCCESS_STATUSES = (200, 201)
_REFUSAL_STATUSES = (409, 422)


class ShopApiClient:
    def __init__(
        self,
        base_url: str,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        token: Optional[str] = None,
        session: Optional[requests.Session] = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(retries, 0)
        self.backoff = backoff
        self._session = session or requests.Session()
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._sleep = sleep

    def fetch(
        self,
        kind: Type[T],
        path: str,
        *path_args: str,
        params: Optional[Mapping[str, Any]] = None,
        key: Optional[str] = None,
    ) -> Optional[T]:
        """GET ``path`` (``{}`` replaced by the quoted ``path_args``) decoded as ``kind``.

        With ``key``, the answer is an object and ``kind`` describes its
        ``key`` member (lists travel wrapped: ``{"orders": [...]}``). None
        when the API says the thing does not exist.
        """
        return self._exchange("GET", kind, path, path_args, params=params or {}, key=key)

    def send(
        self,
        method: str,
        kind: Type[T],
        path: str,
        *path_args: str,
        body: Any,
        key: Optional[str] = None,
    ) -> Optional[T]:
        """POST or PUT ``body`` (already in wire form) to ``path``; the answer decoded as ``kind``.

        None when the API says the thing changed (the order) does not
        exist; :class:`AfterSalesRejected` when it refuses the change.
        """
        return self._exchange(method, kind, path, path_args, body=body, key=key)

    def _exchange(self, method, kind, path, path_args, params=None, body=None, key=None):
        resource = path.format(*(quote(str(arg), safe="") for arg in path_args))
        where = f"{method} {resource}"
        data = self._call(method, resource, where, params or {}, body)
        if data is None:
            return None
        if key is not None:
            if not isinstance(data, dict) or key not in data:
                raise BackendError(f"{where}: answer has no {key!r} member")
            data = data[key]
        try:
            return from_wire(kind, data)
        except WireFormatError as error:
            raise BackendError(f"{where}: unexpected answer: {error}") from error

    def _call(self, method: str, resource: str, where: str, params: Mapping[str, Any], body: Any) -> Any:
        url = self.base_url + resource
        query = {name: _query_value(value) for name, value in params.items() if value is not None}
        repeatable = method in _REPEATABLE_METHODS
        failure: Optional[Exception] = None
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                log.warning("shop API %s failed (%s); retry %d in %.2fs", where, failure, attempt, delay)
                self._sleep(delay)
            # The action has told the shopper by now that the shop did not answer:
            # no request (above all no change) starts after the deadline, and
            # none outlives it by more than one timeout (kefu/backends/deadline.py).
            left = seconds_left()
            if left is not None and left <= 0:
                raise DeadlinePassed(f"shop API {where}: the deadline passed before the request was sent")
            timeout = self.timeout if left is None else min(self.timeout, left)
            try:
                response = self._session.request(
                    method, url, params=query, json=body, headers=self._headers, timeout=timeout
                )
            except requests.exceptions.ReadTimeout as error:
                raise BackendUnavailable(f"shop API did not answer {where} within {timeout:g}s") from error
            except requests.exceptions.ConnectionError as error:  # also connect timeouts
                failure = BackendUnavailable(f"shop API unreachable at {self.base_url}: {type(error).__name__}")
                if repeatable or _never_connected(error):
                    continue
                raise BackendUnavailable(
                    f"shop API connection lost during {where}; the change may or may not have been made"
                ) from error
            except requests.exceptions.RequestException as error:
                raise BackendError(f"shop API request {where} failed: {error}") from error
            if response.status_code >= 500:
                failure = (BackendUnavailable if response.status_code in _UNAVAILABLE_STATUSES else BackendError)(
                    f"shop API answered {where} with HTTP {response.status_code}"
                )
                if repeatable:
                    continue
                raise failure
            return self._interpret(where, response)
        assert failure is not None
        raise failure

    def _interpret(self, where: str, response: requests.Response) -> Any:
        try:
            data = response.json()
        except ValueError:
            raise BackendError(
                f"{where}: HTTP {response.status_code} with a body that is not JSON: {response.text[:80]!r}"
            ) from None
        if response.status_code == 404:
            # Only the API's own "not found" means not found; a 404 page from
            # some other server means SHOP_API_URL points to the wrong place.
            if _error_code(data) == "not_found":
                return None
            raise BackendError(f"{where}: HTTP 404 without an API error body (is SHOP_API_URL right?)")
        if response.status_code in _REFUSAL_STATUSES and _error_code(data) in REJECTION_CODES:
            raise AfterSalesRejected(_error_code(data), data["error"].get("message") or "")
        if response.status_code not in _SUCCESS_STATUSES:
            raise BackendError(f"{where}: HTTP {response.status_code}: {_error_message(data)}")
        return data


def _never_connected(error: requests.exceptions.ConnectionError) -> bool:
    """Whether the request failed before any connection was made (refused, no such host, connect timeout).

    Then the server cannot have seen it, and even a POST may be sent again.
    """
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    cause = error.args[0] if error.args else None
    return isinstance(getattr(cause, "reason", None), NewConnectionError)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _error_code(data: Any) -> Optional[str]:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return data["error"].get("code")
    return None


def _error_message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error: Dict[str, Any] = data["error"]
        return f"{error.get('code')}: {error.get('message')}"
    return repr(data)[:80]
