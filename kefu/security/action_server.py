"""The action server behind its own door: ``python -m kefu.security.action_server``.

It serves exactly what ``rasa run actions`` serves (rasa-sdk's app with the
``actions`` package: ``/webhook``, ``/actions``, ``/health``), but the action
server acts on whatever tracker it is sent, so a caller that can reach it can
forge a tracker with ``verified_customer_id`` and read or change anyone's
orders. Hence, in front of every route but ``/health``:

* the shared secret Rasa sends (endpoints.yml: ``Authorization: Bearer
  $ACTION_SERVER_TOKEN``), compared in constant time — 401 without it, 403
  with a wrong one;
* no compressed bodies (415): rasa-sdk inflates ``deflate`` with no limit,
  so a small zip bomb would fill the memory; Rasa compresses only when
  ``COMPRESS_ACTION_SERVER_REQUEST`` is set, which we never set;
* a cap on the body (413), both from ``Content-Length`` and in Sanic itself
  (``REQUEST_MAX_SIZE``) for bodies that do not announce their length;

and it listens on ``ACTION_SERVER_HOST`` (loopback unless the operator opens it).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys
from typing import List, Optional

from rasa_sdk import utils as sdk_utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.settings import Settings
from kefu.storage.masking import install_log_masking

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "actions"
# The one route a supervisor polls without the secret; it tells nothing but "up".
OPEN_PATHS = frozenset({"/health"})
SECRET_HEADER = "Authorization"
SECRET_SCHEME = "Bearer "
# Content-Encoding values that mean "not compressed".
PLAIN_ENCODINGS = frozenset({"", "identity"})


class ActionServerDoor:
    """Sanic request middleware: the secret, the encoding and the size, checked before rasa-sdk reads a byte."""

    def __init__(self, secret: str, max_body_bytes: int) -> None:
        if not secret:
            raise ValueError("the action server needs a shared secret")
        self._secret = secret.encode("utf-8")
        self.max_body_bytes = max_body_bytes

    async def __call__(self, request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        presented = self._presented_secret(request)
        if presented is None:
            return _refusal(401, "missing action server token")
        # compare_digest: a wrong guess takes as long however many characters it got right.
        if not hmac.compare_digest(presented.encode("utf-8"), self._secret):
            return _refusal(403, "wrong action server token")
        encoding = request.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in PLAIN_ENCODINGS:
            return _refusal(415, "compressed request bodies are not accepted")
        if _announced_length(request) > self.max_body_bytes:
            return _refusal(413, "request body too large")
        return None

    @staticmethod
    def _presented_secret(request: Request) -> Optional[str]:
        header = request.headers.get(SECRET_HEADER, "")
        if not header.startswith(SECRET_SCHEME):
            return None
        return header[len(SECRET_SCHEME):].strip()


def _announced_length(request: Request) -> int:
    try:
        return int(request.headers.get("Content-Length", "0"))
    except ValueError:
        return 0


def _refusal(status: int, error: str) -> HTTPResponse:
    return response.json({"error": error}, status=status)


def build_app(secret: str, max_body_bytes: int, actions_package: str = ACTIONS_PACKAGE) -> Sanic:
    """rasa-sdk's app for ``actions_package`` behind :class:`ActionServerDoor`.

    No CORS origins: Rasa calls the action server, never a browser.
    """
    app = create_app(actions_package, cors_origins=None)
    # Sanic refuses a longer body itself, also one sent in chunks without Content-Length.
    app.config.REQUEST_MAX_SIZE = max_body_bytes
    # ... and answers 413, not the 500 of rasa-sdk's catch-all handler (the more specific handler wins).
    app.error_handler.add(PayloadTooLarge, lambda request, error: _refusal(413, "request body too large"))
    app.register_middleware(ActionServerDoor(secret, max_body_bytes), "request")
    # What `rasa run actions` attaches too (rasa-sdk plugins: listeners, routes).
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def _arguments(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="the rasa-sdk action server, behind a shared secret")
    parser.add_argument("--port", type=int, default=None, help="port (default: ACTION_PORT)")
    parser.add_argument("--actions", default=ACTIONS_PACKAGE, help="package the actions are loaded from")
    sdk_utils.add_logging_level_option_arguments(parser)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    arguments = _arguments(argv)
    settings = Settings.from_env()
    if not settings.action_server_token:
        print(
            "!! ACTION_SERVER_TOKEN is not set: the action server will not start without the shared "
            "secret Rasa sends it (`make run` makes one per run; set the same value for Rasa and here).",
            file=sys.stderr,
        )
        return 2
    sdk_utils.configure_colored_logging(arguments.loglevel)
    sdk_utils.update_sanic_log_level()
    install_log_masking()  # after the handlers exist: extra= fields are masked by their filter
    port = arguments.port or settings.action_port
    app = build_app(settings.action_server_token, settings.action_server_max_body_bytes, arguments.actions)
    logger.info("Action server listening on http://%s:%s (shared secret required)", settings.action_server_host, port)
    app.run(settings.action_server_host, port, workers=sdk_utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
