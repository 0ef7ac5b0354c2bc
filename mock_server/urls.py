"""The map of the HTTP surface: every operation of every version, routed to its handler; the served specs;
and, for a call that matches none, the nearest operation the mock serves (named in the journal and a note).

Routing is by prefix first: each version's family of operations (`/marketing/v3/marketing-events`,
`/marketing/marketing-events/2026-03`, `/crm/v3/objects/contacts`, ...) is one Mount, so a call is matched
against one version's operations, not against all of them in a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from .envelopes import json_response
from .pipeline import MockContext, OperationEndpoint
from .responses import HANDLERS
from .spec import Operation, operations
from .versions import VERSIONS


def api_routes(documents: dict[str, dict[str, Any]], mock: MockContext) -> list[BaseRoute]:
    """Every version's operations: a Mount per version and family, and the list-all path (the prefix itself)."""
    routes: list[BaseRoute] = []
    for name, document in documents.items():
        version = VERSIONS[name]
        ops = operations(document)
        missing = {op.operation_id for op in ops} - set(HANDLERS)
        if missing:
            raise RuntimeError(f"operations without a handler: {sorted(missing)}")
        mounted: dict[str, list[BaseRoute]] = {prefix: [] for prefix in version.prefixes}
        by_path: dict[str, dict[str, OperationEndpoint]] = {}
        for op in routing_order(ops):
            by_path.setdefault(op.path, {})[op.method] = OperationEndpoint(op, HANDLERS[op.operation_id], mock, version)
        for path, endpoints in by_path.items():
            endpoint = endpoints[next(iter(endpoints))] if len(endpoints) == 1 else ByMethod(endpoints)
            prefix = next((p for p in version.prefixes if path.startswith(p + "/")), None)
            if prefix is None:  # the list-all path is the prefix itself; and the v3 spec's spelling of it
                routes.append(_exact(Route(path, endpoint, methods=list(endpoints))))
                # Both official SDKs ask for the list with a trailing slash (`/marketing/v3/marketing-events/`).
                routes.append(_exact(Route(path + "/", endpoint, methods=list(endpoints))))
            else:
                mounted[prefix].append(_exact(Route(path[len(prefix) :], endpoint, methods=list(endpoints))))
        # HubSpot has no trailing-slash redirects: `/events/upsert/` is an unknown route, in HubSpot's shape.
        routes += [_mount(prefix, Router(rs, redirect_slashes=False)) for prefix, rs in mounted.items() if rs]
    return routes


def _mount(prefix: str, router: Router) -> Mount:
    return _exact(Mount(prefix, app=router))


RouteT = TypeVar("RouteT", Route, Mount)


def _exact(route: RouteT) -> RouteT:
    """The route matches the whole path, whatever characters it holds. Starlette's patterns end in `$`, which
    also matches before a final newline, and a Mount's `.*` stops at one: a path ending in an encoded newline
    (`%0A`) would reach the list of all events, and an id holding one would be an unknown route."""
    pattern = route.path_regex.pattern
    route.path_regex = re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern, re.DOTALL)
    return route


class ByMethod:
    """One path's operations (GET, PATCH, DELETE of /{objectId}): one route, so a 405 lists every method."""

    def __init__(self, endpoints: dict[str, OperationEndpoint]) -> None:
        self.endpoints = endpoints

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        await self.endpoints[method](scope, receive, send)


def routing_order(ops: list[Operation]) -> list[Operation]:
    """Literal segments win over parameters (`/participations/{id}/breakdown` before `/participations/{a}/{b}`),
    as in HubSpot's own router; the sort is stable, so the spec's order holds otherwise."""
    return sorted(ops, key=lambda op: op.path.count("{"))


def spec_routes(documents: dict[str, dict[str, Any]], admin: dict[str, Any] | None) -> list[Route]:
    """/openapi.json is v3; /openapi/{version}.json each version; /openapi/admin.json the mock's admin API."""
    served = {"/openapi.json": documents["v3"], **{f"/openapi/{name}.json": doc for name, doc in documents.items()}}
    if admin is not None:
        served["/openapi/admin.json"] = admin

    def document_route(path: str, document: dict[str, Any]) -> Route:
        async def openapi_json(request: Request) -> Response:
            request.scope["state"]["kind"] = "admin"
            return json_response(document)

        return Route(path, openapi_json, methods=["GET"], include_in_schema=False)

    return [document_route(path, document) for path, document in served.items()]


@dataclass(frozen=True)
class _Template:
    method: str
    path: str
    name: str
    segments: tuple[str, ...]

    def mismatches(self, segments: list[str]) -> list[int]:
        """Where a path's segments differ from this template (a parameter takes any non-empty segment)."""
        if len(segments) != len(self.segments):
            return list(range(max(len(segments), len(self.segments)) + 2))
        return [i for i, (want, got) in enumerate(zip(self.segments, segments)) if not (got if want.startswith("{") else want == got)]


class NearestOperation:
    """For a request no route took: the served operation it most likely meant. The same path with another
    method, or a path one segment away (a misspelling, a missing id, or an API version that does not exist)."""

    def __init__(self, templates: list[tuple[str, str, str]]) -> None:
        self._templates = [_Template(m, p, n, tuple(p.strip("/").split("/"))) for m, p, n in templates]

    @classmethod
    def of(cls, documents: dict[str, dict[str, Any]]) -> "NearestOperation":
        return cls([(op.method, op.path, op.operation_id) for doc in documents.values() for op in operations(doc)])

    def __call__(self, method: str, path: str) -> str | None:
        segments = path.strip("/").split("/")
        scored = [(t.mismatches(segments), t) for t in self._templates]
        on_this_path = [t for off, t in scored if not off]  # the path is served, with other methods (a 405)
        near = [(off, t) for off, t in scored if len(off) == 1 and t.method == method]
        if not near and not on_this_path:  # nothing with this method: any method one segment away
            near = [(off, t) for off, t in scored if len(off) == 1]
        parts = []
        if on_this_path:
            parts.append(f"{method} is not served on this path; it takes " + ", ".join(f"{t.method} ({t.name})" for t in on_this_path))
        versions = {t.segments[off[0]] for off, t in near if t.segments[off[0]] in VERSIONS}
        if versions:
            wrong = segments[next(off[0] for off, t in near if t.segments[off[0]] in VERSIONS)]
            parts.append(f"API version '{wrong}' is not served; versions: {', '.join(VERSIONS)}")
            near = [(off, t) for off, t in near if t.segments[off[0]] == "v3" or "v3" not in versions]
        suggestions = [t for off, t in near if t not in on_this_path][:3]
        if suggestions:
            parts.append("nearest: " + ", ".join(f"{t.method} {t.path} ({t.name})" for t in suggestions))
        return "; ".join(parts) or None

