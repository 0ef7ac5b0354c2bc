"""The application, assembled in one visible place."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from .clock import Clock
from .errors import EXCEPTION_HANDLERS
from .models import Backend
from .ratelimit import RateCounters
from .seed import check_seed_events, read_seed
from .settings import Settings
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
    if backend is None:
        backend = Backend(settings, clock)
        if seed is None and settings.seed_path:
            seed = read_seed(settings.seed_path)
        if seed:
            upsert = next(op for op in operations(document) if op.operation_id == "upsertEvents")
            check_seed_events(seed, upsert)
            backend.load_seed(seed)
    counters = RateCounters(settings, clock)
    app = Starlette(
        routes=[spec_route(document), *api_routes(document, backend, counters)],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    # HubSpot has no trailing-slash redirects: `/events/upsert/` is an unknown route, answered in HubSpot's shape.
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.backend = backend
    app.state.openapi = document
    return app
