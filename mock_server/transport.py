"""The connection under a request. ASGI has no way to say "close it without an answer", so the mock's uvicorn
protocol (server.py) puts the transport into the scope, and a dropped connection aborts it (RST, no answer:
what a client sees when a load balancer gives up)."""

from __future__ import annotations

from starlette.types import Scope

TRANSPORT_KEY = "hubspot_mock.transport"


def drop_connection(scope: Scope) -> None:
    transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
    if transport is None:  # another server (e.g. the in-process test client): the client sees an error instead
        raise ConnectionAbortedError("fault: connection dropped (no transport under this server)")
    transport.abort()
