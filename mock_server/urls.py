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
        scored = [(t.mismatches(segments), t.method != method, t) for t in self._templates]
        best = [item for item in scored if item[0] <= 1]
        if not best:
            return None
        best.sort(key=lambda item: (item[0], item[1]))
        top = [t for n, other_method, t in best if (n, other_method) == best[0][:2]]
        named = ", ".join(f"{t.method} {t.path} ({t.name})" for t in top[:3])
        if best[0][0] == 0:
            return f"{method} is not served on this path; it takes {named}"
        return f"no operation matches {method} {path}; nearest: {named}"
