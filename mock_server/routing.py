"""One route for every operation of every version: a tree of path segments, so a call costs a few dict look-ups
whatever the number of operations and versions (Starlette's Router tries its routes' regexes one by one).

The rules are those of HubSpot's router, and of the Starlette routes this replaces:
- a literal segment wins over a parameter (`/participations/contacts/{id}/breakdown` before
  `/participations/{externalAccountId}/{externalEventId}/breakdown`); when the literal branch has no operation
  for the path, the parameter branch is tried;
- a parameter takes any non-empty segment, whatever it holds (an encoded newline too); the whole path must match;
- among the templates that match the path, the first that serves the method answers; when none does, the call is
  a 405 whose Allow lists the methods of the first; HEAD is served wherever GET is;
- no trailing-slash redirects (`/events/upsert/` is unknown), but the list-all path also answers with a trailing
  slash, as both official SDKs ask for it that way.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send

_ENDPOINT = "mock_server.endpoint"  # the child scope's key: the endpoint, or the Allow header of a 405


class _Node:
    __slots__ = ("literals", "parameter", "endpoints")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.parameter: _Node | None = None  # any non-empty segment
        # method -> the endpoint of a template ending here, and its parameters' names in path order (two
        # templates may name the same position differently: `/participations/{marketingEventId}` and
        # `/participations/{externalAccountId}/{externalEventId}`)
        self.endpoints: dict[str, tuple[ASGIApp, tuple[str, ...]]] = {}


class OperationTree(BaseRoute):
    """Path templates (`/marketing/v3/marketing-events/{objectId}`) and their endpoints, by method."""

    def __init__(self) -> None:
        self._root = _Node()
        self.templates: list[tuple[str, str]] = []  # (method, template), as added: what the tree serves

    def add(self, method: str, template: str, endpoint: ASGIApp) -> None:
        node, names = self._root, []
        for segment in template.removeprefix("/").split("/"):  # a trailing slash is an empty last segment
            if segment.startswith("{") and segment.endswith("}"):
                names.append(segment[1:-1])
                node.parameter = node.parameter or _Node()
                node = node.parameter
            else:
                node = node.literals.setdefault(segment, _Node())
        if method in node.endpoints:
            raise ValueError(f"{method} {template} is routed twice")
        node.endpoints[method] = (endpoint, tuple(names))
        self.templates.append((method, template))
        if method == "GET":
            node.endpoints.setdefault("HEAD", node.endpoints["GET"])

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        if not path.startswith("/"):
            return Match.NONE, {}
        segments = path[1:].split("/")
        end = len(segments)
        method = scope["method"]
        first: _Node | None = None
        # Depth first, literals before parameters: at each step the parameter branch waits on the stack while
        # the literal one is followed; the stack's last entry is always the next alternative in that order.
        stack: list[tuple[_Node, int, tuple[str, ...]]] = [(self._root, 0, ())]
        while stack:
            node: _Node | None
            node, at, values = stack.pop()
            while at < end:
                segment = segments[at]
                if node.parameter is not None and segment:
                    stack.append((node.parameter, at + 1, (*values, segment)))
                node = node.literals.get(segment)
                if node is None:
                    break
                at += 1
            if node is None or not node.endpoints:
                continue
            found = node.endpoints.get(method)
            if found is not None:
                endpoint, names = found
                return Match.FULL, {_ENDPOINT: endpoint, "path_params": dict(zip(names, values))}
            if first is None:
                first = node
        if first is None:
            return Match.NONE, {}
        return Match.PARTIAL, {_ENDPOINT: ", ".join(first.endpoints), "path_params": {}}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = scope[_ENDPOINT]
        if isinstance(endpoint, str):  # a PARTIAL match: the path is served, the method is not
            raise HTTPException(status_code=405, headers={"Allow": endpoint})
        await endpoint(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:  # nothing names these routes
        raise NoMatchFound(name, path_params)
