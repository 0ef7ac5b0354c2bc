"""How an armed fault changes one HTTP exchange (the rules themselves are in faults.py).

Dropping a connection needs the socket: the mock's uvicorn protocol (server.py) puts the transport into the
ASGI scope. Under another server there is no transport, and a drop raises ConnectionAbortedError instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import error_response, new_correlation_id
from .faults import CDN_ERRORS, FaultRule, cdn_error_page
from .models import ItemError, Principal

TRANSPORT_KEY = "hubspot_mock.transport"


async def before(fault: FaultRule, principal: Principal, scope: Scope) -> Response | None:
    """Actions that happen before the change is applied. A response returned here replaces the call."""
    if fault.action == "respond":
        if fault.status in CDN_ERRORS:
            return Response(cdn_error_page(fault.status), fault.status, media_type="text/html")
        return error_response(fault.error(principal.portal_id), new_correlation_id())
    if fault.action == "latency" and fault.when == "before":
        await asyncio.sleep(fault.delay_seconds())
    elif fault.action == "drop" and fault.when == "before":
        return _NO_ANSWER
    elif fault.action == "hang":
        await asyncio.sleep(fault.hang_ms / 1000)
        return _NO_ANSWER
    return None


async def after(fault: FaultRule, response: Response, scope: Scope) -> Response:
    """Actions after the change was applied: the write happened, the answer is late or lost."""
    if fault.action == "latency":
        await asyncio.sleep(fault.delay_seconds())
        return response
    return _NO_ANSWER  # drop after


def take_failing_inputs(fault: FaultRule, call: Any) -> None:
    """A partial batch failure: the chosen inputs are taken out before the backend sees them; the handler
    reports them as per-item errors while the rest is applied."""
    inputs = call.body.get("inputs") if isinstance(call.body, dict) else None
    if not inputs:
        return
    failing = fault.failing_indexes(len(inputs))
    call.injected_failures = sorted(failing)
    call.body = {**call.body, "inputs": [item for i, item in enumerate(inputs) if i not in failing]}


def injected_item_errors(call: Any) -> list[ItemError]:
    return [
        ItemError(f"Internal error while processing inputs[{i}]. Please try again.", {"input": [str(i)]}, category="INTERNAL_ERROR")
        for i in call.injected_failures
    ]


async def send(fault: FaultRule | None, response: Response, scope: Scope, receive: Receive, send: Send) -> bool:
    """Send the response as the fault wants it; return whether an answer reached the client."""
    if response is _NO_ANSWER:
        _drop(scope)
        return False
    if fault is None or fault.action not in ("slow_body", "truncate"):
        await response(scope, receive, send)
        return True
    body = response.body
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    if fault.action == "truncate":
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        _drop(scope)
        return True
    for start in range(0, len(body), max(1, fault.chunk_bytes)):
        await send({"type": "http.response.body", "body": body[start : start + fault.chunk_bytes], "more_body": True})
        await asyncio.sleep(fault.chunk_delay_ms / 1000)
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    return True


def _drop(scope: Scope) -> None:
    transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
    if transport is None:
        raise ConnectionAbortedError("fault: connection dropped (no transport under this server)")
    transport.abort()  # RST, no answer: what a client sees when a load balancer gives up


class _NoAnswer(Response):
    status_code = 0

    def __init__(self) -> None:
        pass


_NO_ANSWER = _NoAnswer()
