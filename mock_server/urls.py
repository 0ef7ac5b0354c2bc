"""The map of the HTTP surface: every operation of the spec, routed to its handler; and, for a call that
matches none, the nearest operation the mock serves (named in the journal and a note header)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .envelopes import json_response
from .pipeline import MockContext, OperationEndpoint
from .responses import HANDLERS
from .spec import Operation, operations


def api_routes(document: dict, mock: MockContext) -> list[Route]:
    ops = operations(document)
    missing = {op.operation_id for op in ops} ^ set(HANDLERS)
    if missing:
        raise RuntimeError(f"spec operations and handlers differ: {sorted(missing)}")
    return [
        Route(op.path, OperationEndpoint(op, HANDLERS[op.operation_id], mock), methods=[op.method])
        for op in routing_order(ops)
    ]


def routing_order(ops: list[Operation]) -> list[Operation]:
    """Literal segments win over parameters (`/participations/{id}/breakdown` before `/participations/{a}/{b}`),
    as in HubSpot's own router; the sort is stable, so the spec's order holds otherwise."""
    return sorted(ops, key=lambda op: op.path.count("{"))


def spec_route(document: dict) -> Route:
    async def openapi_json(request: Request) -> Response:
        request.scope["state"]["kind"] = "admin"
        return json_response(document)

    return Route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)


@dataclass(frozen=True)
class _Template:
    method: str
    path: str
    name: str
    segments: tuple[str, ...]

    def mismatches(self, segments: list[str]) -> int:
        """How many segments of a path this template would not take (a parameter takes any non-empty one)."""
        if len(segments) != len(self.segments):
            return len(segments) + len(self.segments)
        return sum(1 for want, got in zip(self.segments, segments) if not (got if want.startswith("{") else want == got))


class NearestOperation:
    """For a request no route took: the served operation it most likely meant. The same path with another
    method, or a path one segment away (a misspelling, a version that does not exist, a missing id)."""

    def __init__(self, templates: list[tuple[str, str, str]]) -> None:
        self._templates = [_Template(m, p, n, tuple(p.strip("/").split("/"))) for m, p, n in templates]

    def __call__(self, method: str, path: str) -> str | None:
        segments = path.strip("/").split("/")
        scored = [(t.mismatches(segments), t) for t in self._templates]
        on_this_path = [t for n, t in scored if n == 0]  # the path is served, with other methods (a 405)
        near = sorted(((n, t) for n, t in scored if n <= 1 and t.method == method), key=lambda item: item[0])
        if not near and not on_this_path:  # nothing with this method: any method one segment away
            near = [(n, t) for n, t in scored if n == 1]
        parts = []
        if on_this_path:
            parts.append(f"{method} is not served on this path; it takes " + ", ".join(f"{t.method} ({t.name})" for t in on_this_path))
        suggestions = [t for n, t in near if n == near[0][0] and t not in on_this_path][:3] if near else []
        if suggestions:
            parts.append("nearest: " + ", ".join(f"{t.method} {t.path} ({t.name})" for t in suggestions))
        return "; ".join(parts) or None
