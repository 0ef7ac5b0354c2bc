"""Serving the mock with uvicorn: its config, and a protocol that lets faults drop connections."""

from __future__ import annotations

from typing import Any

import uvicorn

from .fault_actions import TRANSPORT_KEY

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Protocol
except ImportError:  # uvicorn without httptools: h11
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Protocol  # type: ignore[assignment]


class MockHttpProtocol(_Protocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol, with the connection's transport in the ASGI scope, so that a fault can close
    the connection without an answer (ASGI itself has no way to say "drop it")."""

    def on_headers_complete(self) -> None:  # httptools
        self.scope.setdefault("extensions", {})[TRANSPORT_KEY] = self.transport
        super().on_headers_complete()

    def handle_events(self) -> None:  # h11: the scope is built inside handle_events
        super().handle_events()
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope.setdefault("extensions", {})[TRANSPORT_KEY] = self.transport


def uvicorn_config(app: Any, log_level: str = "info", access_log: bool = False) -> uvicorn.Config:
    return uvicorn.Config(app, log_level=log_level, access_log=access_log, http=MockHttpProtocol, lifespan="on")
