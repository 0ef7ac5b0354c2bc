"""The application, assembled in one visible place.

    JournalMiddleware       every request: a correlation id, a journal entry, the mock's own failures as 500s
      FaultMiddleware       the armed fault shapes how an answer is sent (slow, truncated)
        ExceptionMiddleware HubSpot's errors, routing 404/405, dropped connections -> envelopes.py
          Router            the spec's operations (urls.py -> pipeline.py -> responses.py), the admin API
"""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import Path
from typing import Any, AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from .admin import AdminGuard, admin_routes
from .backend import Backend
from .clock import Clock
from .envelopes import EXCEPTION_HANDLERS
from .fault_effects import FaultMiddleware
from .faults import FaultBook, load_rules
from .journal import Journal, JournalMiddleware
from .pipeline import MockContext
from .ratelimit import RateCounters
from .seed import check_seed, read_seed
from .settings import Settings
from .snapshot import restore_snapshot, save_state
from .spec import admin_document, document_for, operations
from .urls import NearestOperation, api_routes, spec_routes
from .versions import VERSIONS


def create_app(
    settings: Settings | None = None,
    *,
    seed: dict[str, Any] | None = None,
    backend: Backend | None = None,
    clock: Clock | None = None,
) -> Starlette:
    """A mock with fresh state (or the given backend). `seed` wins over `settings.seed_path`."""
    settings = settings or (backend.settings if backend else Settings.from_env())
    clock = clock or (backend.clock if backend else Clock())
    documents = {name: document_for(settings, version) for name, version in VERSIONS.items()}
    admin = admin_document(settings) if admin_allowed(settings) else None
    upsert = next(op for op in operations(documents["v3"]) if op.operation_id == "upsertEvents")
    if seed is None and settings.seed_path:
        seed = read_seed(settings.seed_path)
    if seed:
        check_seed(seed, upsert)

    def fresh_backend() -> Backend:
        new = Backend(settings, clock)
        if seed:
            new.load_seed(seed)
        return new

    faults = FaultBook()
    for rule in load_rules(settings.faults_path) if settings.faults_path else []:
        faults.add(rule)
    journal = Journal(settings.journal_size, settings.journal_max_bytes)
    mock = MockContext(backend or fresh_backend(), RateCounters(settings, clock), faults, journal)
    if backend is None and settings.state_path and Path(settings.state_path).exists():
        restore_snapshot(mock.backend, settings.state_path)  # a state file wins over the seed

    async def snapshot() -> bytes:
        """The state as a restorable image, in JSON; also written (atomically) to the state file when there is
        one. Off the event loop but for a quick copy under the backend's lock."""
        return await save_state(mock.backend, settings.state_path) or b""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if settings.state_path:  # uvicorn turns SIGTERM / Ctrl-C into this shutdown, after shutdown_grace_seconds
            await save_state(mock.backend, settings.state_path, answer=False)

    def reset() -> None:
        """Reset is building the backend again from the seed; the journal and faults are emptied too."""
        mock.backend = app.state.backend = fresh_backend()
        mock.journal.clear()
        mock.faults.clear()

    def load_more_seed(data: dict[str, Any]) -> None:
        check_seed(data, upsert)
        mock.backend.load_seed(data)

    routes: list[BaseRoute] = [*api_routes(documents, mock), *spec_routes(documents, admin)]
    if admin is not None:
        admin_ops = {op.operation_id: op for op in operations(admin)}
        routes += admin_routes(mock, admin_ops, settings.admin_token, reset, snapshot, load_more_seed, AdminGuard(settings.host))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(JournalMiddleware, journal=journal, clock=clock), Middleware(FaultMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    # HubSpot has no trailing-slash redirects: `/events/upsert/` is an unknown route, answered in HubSpot's shape.
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.mock = mock
    app.state.reset = reset
    app.state.backend = mock.backend
    app.state.openapi = documents["v3"]
    app.state.openapi_versions = documents
    app.state.openapi_admin = admin
    app.state.nearest_operation = NearestOperation.of(documents)
    return app


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def admin_allowed(settings: Settings) -> bool:
    """The admin API resets state and arms faults: reachable from other machines only behind its own token."""
    return settings.admin_enabled and (settings.admin_token is not None or is_loopback(settings.host))
