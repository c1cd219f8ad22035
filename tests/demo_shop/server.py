"""An aiohttp application served from a background thread, for tests that
need a real HTTP server (the reference shop API, or a fake of it)."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from typing import Iterator

from aiohttp import web


@contextmanager
def serve_in_thread(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` from a background thread; yields its base URL (port 0 picks a free port)."""
    loop = asyncio.new_event_loop()
    # A short shutdown grace: this server is for tests, not for draining traffic.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    started = threading.Event()
    failure: list = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, host, port).start())
        except Exception as error:  # reported to the caller below
            failure.append(error)
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        # Requests still being answered (a deliberately slow handler) end here.
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=run, name="shop-api", daemon=True)
    thread.start()
    started.wait(timeout=10)
    if failure:
        raise failure[0]
    bound_host, bound_port = runner.addresses[0][:2]
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
