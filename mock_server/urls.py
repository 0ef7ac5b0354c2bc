"""The map of the HTTP surface: every operation of every version, routed to its handler; the served specs;
and, for a call that matches none, the nearest operation the mock serves (named in the journal and a note).

Every version's operations share one tree of path segments (routing.py): a call costs a few dict look-ups
whether the mock serves one version or four.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .envelopes import json_response
from .pipeline import MockContext, OperationEndpoint
from .responses import HANDLERS
from .routing import OperationTree
from .spec import operations
from .versions import VERSIONS


def api_routes(documents: dict[str, dict[str, Any]], mock: MockContext) -> list[BaseRoute]:
    """Every version's operations, in one tree of path segments (routing.py): the list-all path (the prefix
    itself, also with the trailing slash both official SDKs send) and each family's operations."""
    served = {op.operation_id for document in documents.values() for op in operations(document)}
    if served ^ set(HANDLERS):
        raise RuntimeError(f"spec operations and handlers differ: {sorted(served ^ set(HANDLERS))}")
    tree = OperationTree()
    for name, document in documents.items():
        version = VERSIONS[name]
        for op in operations(document):
            endpoint = OperationEndpoint(op, HANDLERS[op.operation_id], mock, version)
            tree.add(op.method, op.path, endpoint)
            if not any(op.path.startswith(prefix + "/") for prefix in version.prefixes):
                tree.add(op.method, op.path + "/", endpoint)
    return [tree]


def whole_path(route: Route) -> Route:
    """Starlette ends a route's pattern with `$`, which also matches before a final newline: without this,
    `GET /openapi.json%0A` would answer the document."""
    route.path_regex = re.compile(route.path_regex.pattern.removesuffix("$") + r"\Z")
    return route


def spec_routes(documents: dict[str, dict[str, Any]], admin: dict[str, Any] | None) -> list[Route]:
    """/openapi.json is v3; /openapi/{version}.json each version; /openapi/admin.json the mock's admin API."""
    served = {"/openapi.json": documents["v3"], **{f"/openapi/{name}.json": doc for name, doc in documents.items()}}
    if admin is not None:
        served["/openapi/admin.json"] = admin

    def document_route(path: str, document: dict[str, Any]) -> Route:
        async def openapi_json(request: Request) -> Response:
            request.scope["state"]["kind"] = "admin"
            return json_response(document)

        return whole_path(Route(path, openapi_json, methods=["GET"], include_in_schema=False))

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

