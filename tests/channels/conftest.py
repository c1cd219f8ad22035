"""One real assistant with handoff for the channel tests (REST and socket.io)."""

import pytest

from tests.channels.support import SOCKET_POLL_SECONDS, handoff_site

RASA_PORT, ACTION_PORT = 5140, 5190


@pytest.fixture(scope="package")
def site(trained_model, tmp_path_factory):
    with handoff_site(tmp_path_factory.mktemp("channels"), trained_model, RASA_PORT, ACTION_PORT,
                      HANDOFF_SOCKET_POLL_SECONDS=str(SOCKET_POLL_SECONDS)) as running:
        yield running
