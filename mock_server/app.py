"""The application, assembled in one visible place."""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import Path
from typing import Any, AsyncIterator

from starlette.applications import Starlette

from .admin import admin_routes
from .clock import Clock
from .errors import EXCEPTION_HANDLERS
from .faults import FaultBook, load_rules
from .journal import Journal
from .models import Backend
from .operations import MockContext
from .ratelimit import RateCounters
from .seed import check_seed, read_seed
from .settings import Settings
from .snapshot import restore_snapshot, save_state
from .spec import document_for, operations
from .urls import api_routes, spec_route


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
    document = document_for(settings)
    if seed is None and settings.seed_path:
        seed = read_seed(settings.seed_path)
    if seed:
        check_seed(seed, next(op for op in operations(document) if op.operation_id == "upsertEvents"))

    def fresh_backend() -> Backend:
        new = Backend(settings, clock)
        if seed:
            new.load_seed(seed)
        return new

    faults = FaultBook()
    for rule in load_rules(settings.faults_path) if settings.faults_path else []:
        faults.add(rule)
    mock = MockContext(backend or fresh_backend(), RateCounters(settings, clock), faults, Journal(settings.journal_size))
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

    routes = [spec_route(document), *api_routes(document, mock)]
    if admin_allowed(settings):
        routes += admin_routes(mock, settings.admin_token, reset, snapshot)
    app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
    # HubSpot has no trailing-slash redirects: `/events/upsert/` is an unknown route, answered in HubSpot's shape.
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.mock = mock
    app.state.reset = reset
    app.state.backend = mock.backend
    app.state.openapi = document
    return app


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def admin_allowed(settings: Settings) -> bool:
    """The admin API resets state and arms faults: reachable from other machines only behind its own token."""
    return settings.admin_enabled and (settings.admin_token is not None or is_loopback(settings.host))
