"""Property tests generated from the project's spec by schemathesis, in process against the ASGI app.

Every operation of every API version the mock serves (the documents at /openapi.json and /openapi/{version}.json),
positive and negative data, with schemathesis' full check set. Half of the positive cases are steered onto seeded
objects (events, objectIds, vids, emails, lists, the developer key's app; tests/steering.py), so they reach the
real rules instead of ending in 404s.

CONTRACT_EXAMPLES sets the examples per operation: 25 by default for v3 and 5 for each dated version (the same
handlers behind other paths and a few version-specific shapes); CONTRACT_EXAMPLES=200 is a thorough run, for every
version. The census runs a pass of its own over every operation of v3, every handler being behind one of them (so
it holds under pytest-xdist too): each answered 2xx and 4xx, never 5xx.
"""

from __future__ import annotations

import os
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from mock_server import Settings, create_app
from mock_server.versions import VERSIONS

from steering import EVENT_DETAILS_URL, Seeded, steered

THOROUGH = "CONTRACT_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "25"))
DATED_EXAMPLES = EXAMPLES if THOROUGH else 5
CENSUS_EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "10"))
# schemathesis.toml gives the app-settings operations this developer key (its auth for developerHapikey).
CONFIGURED = tomllib.loads((Path(__file__).resolve().parents[1] / "schemathesis.toml").read_text(encoding="utf-8"))
SEEDED = Seeded.for_suite(
    2**31 + 1000, 5, developer_key=CONFIGURED["auth"]["openapi"]["developerHapikey"]["api_key"], token="pat-contract-tests"
)
app, OBJECT_IDS = SEEDED.app()
# The census's mock: deleting a missing event and looking up an unknown externalEventId answer 404 (their
# settings; by default a 204 and `total: 0`), so that every operation has a client error for cases to reach.
census_app = create_app(
    Settings.for_profile(app.state.settings.profile, accept_any_token=False, archive_missing_event="not_found",
                         identifiers_unknown_event="not_found"),
    seed=SEEDED.seed(),
)


def _schema(version: str) -> Any:
    # HubSpot's operations only: the mock's admin API is a document of its own (/openapi/admin.json).
    schema = schemathesis.openapi.from_asgi("/openapi.json" if version == "v3" else f"/openapi/{version}.json", app)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    schema.config.headers = {"Authorization": f"Bearer {SEEDED.token}"}

    @schema.hook
    def flatmap_case(context: Any, case: Any) -> Any:
        """Half of the positive cases point at things that exist; negative cases stay as generated."""
        if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
            return st.just(case)
        return st.booleans().flatmap(lambda existing: steered(case, SEEDED, OBJECT_IDS) if existing else st.just(case))

    return schema


SCHEMAS = {version: _schema(version) for version in VERSIONS}


def _property_test(version: str, examples: int) -> Any:
    @SCHEMAS[version].parametrize()
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    def test(case: Any) -> None:
        case.call_and_validate()

    return test


test_every_v3_operation_honours_the_spec = _property_test("v3", EXAMPLES)
test_every_2025_09_operation_honours_the_spec = _property_test("2025-09", DATED_EXAMPLES)
test_every_2026_03_operation_honours_the_spec = _property_test("2026-03", DATED_EXAMPLES)
test_every_2026_09_operation_honours_the_spec = _property_test("2026-09", DATED_EXAMPLES)


# ---------------------------------------------------------------------------------------------- the census
def _census_operations() -> Iterator[Any]:
    """v3's operations: every handler is behind one of them (the dated versions route to the same handlers,
    tests/test_routing.py; their property tests above hold their answers to their documents)."""
    for result in SCHEMAS["v3"].get_all_operations():
        operation = result.ok()
        yield pytest.param(operation, id=operation.definition.raw["operationId"])


@pytest.mark.parametrize("operation", list(_census_operations()))
def test_generated_cases_reach_the_rules_and_the_errors(operation):
    """A pass of its own over each operation (so it holds under pytest-xdist too), on the census's mock: the
    steered cases answered 2xx, others 4xx, none 5xx. Each case meets the seeded state, the seeded app's
    settings set, whatever the case before it deleted. Negative cases are generated only when the positive ones
    met no 4xx."""
    answers: Counter[str] = Counter()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        if mode == GenerationMode.NEGATIVE and answers["4xx"]:
            break

        @given(operation.as_strategy(generation_mode=mode))
        @settings(max_examples=CENSUS_EXAMPLES, deadline=None, derandomize=not THOROUGH, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            census_app.state.reset()
            census_app.state.backend.set_app_settings(SEEDED.app_id, EVENT_DETAILS_URL)
            answers[f"{case.call(app=census_app).status_code // 100}xx"] += 1

        try:
            run()
        except Unsatisfiable:  # nothing of the request can be made invalid
            assert mode == GenerationMode.NEGATIVE
    assert answers["5xx"] == 0, dict(answers)
    assert answers["2xx"] > 0 and answers["4xx"] > 0, dict(answers)


# Stateful: schemathesis walks the spec's links (upsert -> attendance by objectId / external ids -> read-back),
# so sequences carry real ids from one answer into the next request.
APIWorkflow = SCHEMAS["v3"].as_state_machine()


class TestLinkedWorkflows(APIWorkflow.TestCase):
    settings = settings(max_examples=max(20, EXAMPLES // 4), stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck))
