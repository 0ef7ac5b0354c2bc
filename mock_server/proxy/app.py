"""The proxy as an ASGI app: every path is forwarded to the upstream and answered with the upstream's answer;
the same call is then applied to the shadow mock and compared, off the caller's path. `/__mock/` is the proxy's
own (admin.py): its report and comparisons, and the shadow's admin API and inspector page.

Comparisons run in one worker, in the order the upstream answered, so the shadow sees the portal's sequence;
nothing they do (a slow candidate, a mock error) can change or delay what the caller gets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, AsyncIterator
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .. import Settings
from .admin import PROXY_PREFIX, ProxyGuard, ShadowAdmin, error
from .engine import OUTCOMES, Comparison, FidelityEngine
from .exchange import Exchange, ProxiedRequest
from .recording import Recorder
from .redaction import Redactor, ScrubbingFilter
from .report import build_report, render_markdown, write_report
from .upstream import DEFAULT_UPSTREAM, Upstream, to_response

log = logging.getLogger("mock_server.proxy")

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000


@dataclass(frozen=True)
class ProxyConfig:
    upstream: str = DEFAULT_UPSTREAM
    settings: Settings = field(default_factory=Settings)
    report_path: str | None = None
    record_path: str | None = None
    hash_emails: bool = False
    timeout_s: float = 30.0
    try_candidates: bool = True
    comparisons_kept: int = 1000


class ProxyService:
    def __init__(self, config: ProxyConfig) -> None:
        self.config = config
        self.redactor = Redactor(config.hash_emails)
        self.log_filter = ScrubbingFilter(self.redactor)
        self.log_filter.install()
        self.upstream = Upstream(config.upstream, config.timeout_s)
        self.engine = FidelityEngine(
            config.settings, upstream=config.upstream, try_candidates=config.try_candidates, keep=config.comparisons_kept
        )
        self.recorder = (
            Recorder(config.record_path, upstream=config.upstream, hash_emails=config.hash_emails)
            if config.record_path
            else None
        )
        self.guard = ProxyGuard(config.settings)
        self._queue: asyncio.Queue[Exchange] | None = None
        self._worker: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ the caller's path
    async def forward(self, request: Request) -> Response:
        scope = request.scope
        body = await request.body()
        raw_path: bytes = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
        query_string: bytes = scope.get("query_string", b"")
        query = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        self.redactor.remember(headers, query)
        answer, fault, duration_ms = await self.upstream.send(request.method, raw_path, query_string, headers, body)
        exchange = Exchange(
            self.redactor.request(ProxiedRequest(request.method, raw_path.decode("latin-1"), tuple(query), tuple(headers), body)),
            self.redactor.answer(answer),
            at=datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            duration_ms=duration_ms,
            fault=fault,
        )
        self._enqueue(exchange)
        return to_response(answer, request.method)

    def _enqueue(self, exchange: Exchange) -> None:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.get_running_loop().create_task(self._work(self._queue))
        self._queue.put_nowait(exchange)

    async def _work(self, queue: asyncio.Queue[Exchange]) -> None:
        while True:
            exchange = await queue.get()
            try:
                if self.recorder:
                    self.recorder.write(exchange)
                _log(await self.engine.compare(exchange))
            except Exception as exc:  # one failed comparison must not stop the ones after it
                log.error("proxy: comparing %s %s failed: %s", exchange.request.method, exchange.request.path.split("?")[0],
                          type(exc).__name__)
            finally:
                queue.task_done()

    async def settle(self) -> None:
        """Wait until every call answered so far is compared."""
        if self._queue is not None:
            await self._queue.join()

    # ------------------------------------------------------------------ /__mock/proxy/
    async def report(self, request: Request) -> Response:
        refused = self.guard.refusal(request)
        if refused is not None:
            return refused
        await self.settle()
        data = build_report(self.engine)
        if self.config.report_path and request.method == "POST":  # a GET only reads (the inspector polls it)
            write_report(data, self.config.report_path)
        if request.query_params.get("format") == "markdown" or "text/markdown" in request.headers.get("accept", ""):
            return PlainTextResponse(render_markdown(data), media_type="text/markdown; charset=utf-8")
        return JSONResponse(data)

    async def comparisons(self, request: Request) -> Response:
        refused = self.guard.refusal(request)
        if refused is not None:
            return refused
        await self.settle()
        params = request.query_params
        try:
            limit = int(params.get("limit", PAGE_SIZE))
            before_id, after_id = _optional_int(params.get("before_id")), _optional_int(params.get("after_id"))
            if not 1 <= limit <= MAX_PAGE_SIZE:
                raise ValueError
        except ValueError:
            return error(400, f"limit must be 1..{MAX_PAGE_SIZE}, before_id and after_id integers", "VALIDATION_ERROR")
        outcome, correlation_id = params.get("outcome") or None, params.get("correlation_id") or None
        if outcome is not None and outcome not in OUTCOMES:
            return error(400, f"outcome must be one of {', '.join(OUTCOMES)}", "VALIDATION_ERROR")

        def wanted(comparison: Comparison) -> bool:
            return (outcome is None or comparison.outcome == outcome) and (
                correlation_id is None or comparison.shadow_correlation_id == correlation_id
            )

        latest_id = self.engine.latest_id
        found = self.engine.newest(limit + 1, before_id, after_id=after_id, where=wanted)  # one more: is there an older page
        page = found[:limit]
        shape = Comparison.summary if params.get("summary") == "true" else Comparison.to_data
        body: dict[str, Any] = {"comparisons": [shape(c) for c in page], "latest_id": latest_id}
        if len(found) > limit:
            body["paging"] = {"next": {"before_id": page[-1].id}}
        return JSONResponse(body)

    async def comparison(self, request: Request) -> Response:
        refused = self.guard.refusal(request)
        if refused is not None:
            return refused
        await self.settle()
        wanted = request.path_params["comparison_id"]
        found = self.engine.get(int(wanted)) if wanted.isascii() and wanted.isdigit() else None
        if found is None:
            return error(404, f"no comparison {wanted[:40]} (the proxy keeps the last {self.config.comparisons_kept})", "OBJECT_NOT_FOUND")
        return JSONResponse(found.to_data())

    async def openapi(self, request: Request) -> Response:
        """The shadow's spec, for the inspector page's endpoint filters (a proxy forwards `/openapi.json`)."""
        return JSONResponse(self.engine.baseline.app.state.openapi)

    async def unknown(self, request: Request) -> Response:
        return error(404, f"no proxy endpoint {request.method} {request.url.path}", "OBJECT_NOT_FOUND")

    async def close(self) -> None:
        await self.settle()
        if self._worker is not None:
            self._worker.cancel()
        if self.config.report_path:
            markdown, _ = write_report(build_report(self.engine), self.config.report_path)
            log.info("proxy: report written to %s", markdown)
        if self.recorder:
            self.recorder.close()
        await self.upstream.aclose()
        await self.engine.aclose()
        self.log_filter.uninstall()


def create_proxy_app(config: ProxyConfig) -> Starlette:
    service = ProxyService(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await service.close()  # uvicorn turns Ctrl-C / SIGTERM into this: the report is written on the way out

    app = Starlette(
        routes=[
            Route(f"{PROXY_PREFIX}/report", service.report, methods=["GET", "POST"]),
            Route(f"{PROXY_PREFIX}/comparisons", service.comparisons, methods=["GET"]),
            Route(f"{PROXY_PREFIX}/comparisons/{{comparison_id}}", service.comparison, methods=["GET"]),
            Route(f"{PROXY_PREFIX}/openapi.json", service.openapi, methods=["GET"]),
            Route(PROXY_PREFIX, service.unknown, methods=METHODS),
            Route(f"{PROXY_PREFIX}/{{rest:path}}", service.unknown, methods=METHODS),
            Route("/__mock/{rest:path}", ShadowAdmin(service.engine.baseline.app, config.settings, service.guard)),
            Route("/{path:path}", service.forward, methods=METHODS),
        ],
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.proxy = service
    return app


def _optional_int(value: str | None) -> int | None:
    return int(value) if value else None


def _log(comparison: Comparison) -> None:
    exchange = comparison.exchange
    upstream = exchange.fault or str(exchange.upstream.status)
    mock = str(comparison.mock.status) if comparison.mock else "-"
    detail = {
        "matched": "matched",
        "differed": f"{len(comparison.differences)} difference(s)",
        "upstream_fault": "upstream fault, not applied to the mock",
        "not_compared": f"not compared: {comparison.reason}",
    }[comparison.outcome]
    log.info("proxy: %s -> upstream %s, mock %s: %s", comparison.operation, upstream, mock, detail)
