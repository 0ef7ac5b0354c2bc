"""The inspector page at /__mock/ui: a static page (one HTML, one JS, one CSS file, shipped in the package)
over the admin API. It holds no data itself, so it is served without the admin token; its calls to the admin
API carry the token the user types in (kept in the tab's sessionStorage).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..exceptions import RouteNotFound

STATIC = files(__name__) / "static"
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}
ASSETS = {item.name for item in STATIC.iterdir() if item.name.rpartition(".")[2] in MEDIA_TYPES}
# Offline and locked down: everything from this origin only; data never reaches the page as markup.
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def page_routes(prefix: str, guard: Callable[[Request], None]) -> list[Route]:
    """The page, its assets, and the address typed with a slash; `guard` refuses Host names that are not this
    mock's (a DNS-rebinding page would otherwise load the inspector under its own name)."""

    def admitted(request: Request) -> None:
        request.scope["state"]["kind"] = "admin"
        guard(request)

    async def page(request: Request) -> Response:
        admitted(request)
        return _asset("index.html")

    async def asset(request: Request) -> Response:
        admitted(request)
        return _asset(request.path_params["asset"])

    async def to_page(request: Request) -> Response:
        admitted(request)
        return RedirectResponse(f"{prefix}/ui")  # a typed trailing slash finds the page (the API has no redirects)

    return [
        Route(f"{prefix}/ui", page, methods=["GET"]),
        Route(f"{prefix}/ui/", to_page, methods=["GET"]),
        Route(f"{prefix}/ui/{{asset}}", asset, methods=["GET"]),
    ]


def _asset(name: str) -> Response:
    if name not in ASSETS:
        raise RouteNotFound()
    media_type = MEDIA_TYPES[name.rpartition(".")[2]]
    return Response((STATIC / name).read_bytes(), media_type=media_type, headers=PAGE_HEADERS)
