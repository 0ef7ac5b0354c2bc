"""pytest plugin (registered as `hubspot_mock` through the pytest11 entry point).

    def test_my_sync(hubspot_mock):
        client = hubspot.Client.create(access_token=hubspot_mock.token, host=hubspot_mock.base_url)
        with hubspot_mock.faults({"action": "respond", "status": 503, "times": 1}):
            ...
        assert hubspot_mock.state()["portals"]["1"]["events"]

`hubspot_mock` is a real uvicorn server on a free port in a background thread, started once per session
(per worker under pytest-xdist, each worker has its own) and reset before every test. `hubspot_mock_asgi`
is the same mock in process, without sockets: use `.client` (a Starlette TestClient) or `.transport` (an
httpx ASGI transport for async clients).

One test, its own mock (moto's spirit): `@pytest.mark.hubspot_mock(profile="spec", settings={...},
seed={...}, faults=[...])`. A seed or faults alone reuse the session's server (reset after the test); a profile
or settings start a server of the test's own. For the whole session, override the session-scoped
`hubspot_mock_settings` / `hubspot_mock_seed` fixtures in a conftest.py:

    @pytest.fixture(scope="session")
    def hubspot_mock_settings():
        return Settings.for_profile("spec", mixed_batch_status=207)
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Any, Iterator

import httpx
import pytest
from starlette.applications import Starlette

from .app import create_app
from .faults import FaultRule
from .journal import Entry
from .backend import Backend
from .inspector.dump import dump_state
from .settings import Settings
from .testing import serve_in_thread


class HubSpotMock:
    """A running mock as a test sees it."""

    token = "pat-hubspot-mock"

    def __init__(self, app: Starlette, base_url: str) -> None:
        self.app = app
        self.base_url = base_url

    @property
    def backend(self) -> Backend:
        return self.app.state.mock.backend

    def state(self) -> dict[str, Any]:
        """Everything the mock holds: portals, contacts, events, subscriber histories."""
        return dump_state(self.backend)

    def journal(self, **filters: Any) -> list[Entry]:
        """What was sent and answered, newest first (filters: operation, status, faulted, text, limit)."""
        return self.app.state.mock.journal.entries(**filters)

    def reset(self) -> None:
        self.app.state.reset()

    @contextmanager
    def faults(self, *rules: dict[str, Any] | FaultRule, **rule: Any) -> Iterator[list[FaultRule]]:
        """Arm fault rules for the duration of a with-block: `faults(action="respond", status=503, times=2)`."""
        book = self.app.state.mock.faults
        armed = [book.add(r) for r in (*rules, *([rule] if rule else []))]
        try:
            yield armed
        finally:
            for r in armed:
                book.remove(r.id)


@pytest.fixture(scope="session")
def hubspot_mock_settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def hubspot_mock_seed() -> dict[str, Any] | None:
    return None


@pytest.fixture(scope="session")
def _hubspot_mock_server(hubspot_mock_settings: Settings, hubspot_mock_seed: dict[str, Any] | None) -> Iterator[HubSpotMock]:
    app = create_app(hubspot_mock_settings, seed=hubspot_mock_seed)
    with serve_in_thread(app) as url:
        yield HubSpotMock(app, url)


MARKER = "hubspot_mock"
MARKER_KEYS = {"profile", "settings", "seed", "faults"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(profile=None, settings=None, seed=None, faults=None): this test's mock: a fidelity profile, "
        "settings (a dict of Settings fields), seed data and fault rules to arm",
    )


@pytest.fixture
def hubspot_mock(_hubspot_mock_server: HubSpotMock, hubspot_mock_settings: Settings, request: pytest.FixtureRequest) -> Iterator[HubSpotMock]:
    marker = request.node.get_closest_marker(MARKER)
    options = _marker_options(marker) if marker else {}
    with ExitStack() as stack:
        mock = _hubspot_mock_server
        if "profile" in options or "settings" in options:  # another configuration: a server of its own
            settings = Settings.for_profile(
                options.get("profile", hubspot_mock_settings.profile),
                **{**hubspot_mock_settings.differences_from_profile(), **options.get("settings", {})},
            )
            app = create_app(settings)
            mock = HubSpotMock(app, stack.enter_context(serve_in_thread(app)))
        mock.reset()
        if options.get("seed"):
            mock.app.state.mock.backend.load_seed(options["seed"])
        for rule in options.get("faults", []):
            mock.app.state.mock.faults.add(rule)
        yield mock
    if mock is _hubspot_mock_server:
        mock.reset()  # the marker's seed and faults end with the test


def _marker_options(marker: pytest.Mark) -> dict[str, Any]:
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only: {', '.join(sorted(MARKER_KEYS))}")
    unknown = set(marker.kwargs) - MARKER_KEYS
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: unknown argument(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(MARKER_KEYS))}")
    return dict(marker.kwargs)


class HubSpotMockASGI(HubSpotMock):
    def __init__(self, app: Starlette) -> None:
        super().__init__(app, "http://localhost")
        from starlette.testclient import TestClient

        self.client = TestClient(app, base_url=self.base_url, headers={"Authorization": f"Bearer {self.token}"})
        self.transport = httpx.ASGITransport(app=app)


@pytest.fixture
def hubspot_mock_asgi(hubspot_mock_settings: Settings, hubspot_mock_seed: dict[str, Any] | None) -> HubSpotMockASGI:
    return HubSpotMockASGI(create_app(hubspot_mock_settings, seed=hubspot_mock_seed))
