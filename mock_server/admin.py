"""The admin API under /__mock/: journal, state, reset, seed, snapshot and faults. Not part of HubSpot.

Off with `admin_enabled=false`; with `admin_token` set, every admin call wants `Authorization: Bearer <it>`.
"""

from __future__ import annotations

import hmac
from typing import Any, Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import json_response, new_correlation_id, error_response
from .exceptions import HubSpotError, Unauthorized, ValidationError
from .operations import MockContext

PREFIX = "/__mock"


def admin_routes(mock: MockContext, token: str | None, reset: Callable[[], None], snapshot: Callable[[], Any]) -> list[Route]:
    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            if token is not None:
                given = request.headers.get("authorization", "").partition(" ")[2].strip()
                if not hmac.compare_digest(given.encode(), token.encode()):
                    return error_response(Unauthorized("The admin API wants its own token"), new_correlation_id())
            try:
                return await handler(request)
            except (ValueError, TypeError) as exc:
                return error_response(ValidationError(str(exc)), new_correlation_id())
            except HubSpotError as exc:
                return error_response(exc, new_correlation_id())

        return endpoint

    async def journal(request: Request) -> Response:
        if request.method == "DELETE":
            mock.journal.clear()
            return Response(status_code=204)
        q = request.query_params
        entries = mock.journal.entries(
            operation=q.get("operation"),
            status=int(q["status"]) if q.get("status") else None,
            faulted={"true": True, "false": False}.get(q.get("faulted", "")),
            text=q.get("text"),
            limit=int(q["limit"]) if q.get("limit") else None,
        )
        return json_response({"total": len(mock.journal), "results": [e.to_dict() for e in entries]})

    async def state(request: Request) -> Response:
        return json_response(mock.backend.dump())

    async def do_reset(request: Request) -> Response:
        reset()
        return Response(status_code=204)

    async def seed(request: Request) -> Response:
        mock.backend.load_seed(_json(await request.body()))
        return Response(status_code=204)

    async def do_snapshot(request: Request) -> Response:
        return json_response(snapshot())

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            body = _json(await request.body())
            rules = [mock.faults.add(r) for r in (body if isinstance(body, list) else [body])]
            return json_response([r.to_dict() for r in rules], 201)
        if request.method == "DELETE":
            mock.faults.clear()
            return Response(status_code=204)
        return json_response([r.to_dict() for r in mock.faults.list()])

    async def fault(request: Request) -> Response:
        if not mock.faults.remove(request.path_params["rule_id"]):
            return error_response(HubSpotError("no such fault rule", category="OBJECT_NOT_FOUND").with_status(404), new_correlation_id())
        return Response(status_code=204)

    return [
        Route(f"{PREFIX}/journal", guarded(journal), methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/state", guarded(state), methods=["GET"]),
        Route(f"{PREFIX}/reset", guarded(do_reset), methods=["POST"]),
        Route(f"{PREFIX}/seed", guarded(seed), methods=["POST"]),
        Route(f"{PREFIX}/snapshot", guarded(do_snapshot), methods=["POST"]),
        Route(f"{PREFIX}/faults", guarded(faults), methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/faults/{{rule_id}}", guarded(fault), methods=["DELETE"]),
    ]


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"Invalid JSON: {exc}") from None
