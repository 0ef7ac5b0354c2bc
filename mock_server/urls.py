"""The map of the HTTP surface: every operation of the spec, routed to its handler."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import json_response
from .operations import MockContext, OperationEndpoint
from .responses import HANDLERS
from .spec import operations


def api_routes(document: dict, mock: MockContext) -> list[Route]:
    ops = operations(document)
    missing = {op.operation_id for op in ops} ^ set(HANDLERS)
    if missing:
        raise RuntimeError(f"spec operations and handlers differ: {sorted(missing)}")
    # Literal segments win over parameters (`/participations/{id}/breakdown` before `/participations/{a}/{b}`),
    # as in HubSpot's own router; the sort is stable, so the spec's order holds otherwise.
    ops.sort(key=lambda op: op.path.count("{"))
    return [
        Route(op.path, OperationEndpoint(op, HANDLERS[op.operation_id], mock), methods=[op.method])
        for op in ops
    ]


def spec_route(document: dict) -> Route:
    async def openapi_json(request: Request) -> Response:
        return json_response(document)

    return Route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
