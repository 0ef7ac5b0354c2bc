"""Run the mock as a real HTTP server inside a test process (background thread, free port)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import uvicorn
from starlette.types import ASGIApp

from .server import ServerLimits, uvicorn_config
from .settings import Settings


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `app` (the mock, or any ASGI app) with uvicorn on a free port; yield its base URL; stop it on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen(512)  # bound and listening before the URL is handed out: no start-up race
    port = sock.getsockname()[1]
    settings = getattr(getattr(app, "state", None), "settings", None)
    limits = ServerLimits.from_settings(settings if isinstance(settings, Settings) else Settings())
    server = uvicorn.Server(uvicorn_config(app, "warning", limits=limits, listeners=[sock]))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            time.sleep(0.002)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=limits.shutdown_grace_seconds + 5)
        sock.close()
