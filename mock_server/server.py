"""Serving the mock with uvicorn: its config, and a protocol that lets faults drop connections."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import uvicorn

from .transport import TRANSPORT_KEY

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Protocol
except ImportError:  # uvicorn without httptools: h11
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Protocol  # type: ignore[assignment]


class MockHttpProtocol(_Protocol):
    """uvicorn's HTTP protocol, with the connection's transport in the ASGI scope, so that a fault can close
    the connection without an answer (ASGI itself has no way to say "drop it")."""

    def on_headers_complete(self) -> None:  # httptools
        _add_transport(self.scope, self.transport)
        super().on_headers_complete()

    def handle_events(self) -> None:  # h11: the scope is built inside handle_events
        super().handle_events()  # type: ignore[misc]  # h11's method; httptools has none
        scope = getattr(self, "scope", None)
        if scope is not None:
            _add_transport(scope, self.transport)


def _add_transport(scope: Any, transport: asyncio.Transport) -> None:
    extensions: dict[str, Any] = scope.setdefault("extensions", {})
    extensions[TRANSPORT_KEY] = transport


def tune_gc() -> None:
    """Garbage collection for a long-running mock process (the CLI's; a test process keeps its own settings).

    A request allocates thousands of short-lived objects (a 10,000-item batch, several hundred thousand), and
    CPython's default thresholds run a collection every 700 of them, each one re-scanning the request's live
    objects: the cost per item then grew with the batch (2x from 100 to 10,000 items). Collect less often, and
    freeze what start-up loaded (a restored state of a million records), so that no collection scans it again.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


def uvicorn_config(app: Any, log_level: str = "info", access_log: bool = False) -> uvicorn.Config:
    return uvicorn.Config(app, log_level=log_level, access_log=access_log, http=MockHttpProtocol, lifespan="on")
