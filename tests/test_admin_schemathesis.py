"""schemathesis over the mock's own admin API (`/openapi/admin.json`), in process: bad input is a 4xx envelope
naming the field, never a 500, and every answer matches the admin spec. The inspector page's static routes and
the reset/snapshot writes are included; the page's HTML answers are checked for status and content type only."""

from __future__ import annotations

import os
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from mock_server import Settings, create_app

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "25"))
SEED = {
    "portals": [{"id": 1, "contacts": [{"vid": 3000000001, "email": "grace@example.com"}]}],
    "events": [{"externalAccountId": "acct-1", "externalEventId": "webinar-1", "eventName": "Webinar", "eventOrganizer": "Acme"}],
}

app = create_app(Settings(), seed=SEED)
schema = schemathesis.openapi.from_asgi("/openapi/admin.json", app)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES)
# The admin API answers only Host names that address this mock, and POSTs that say JSON.
schema.config.headers = {"Host": "localhost", "Content-Type": "application/json"}

# Refused by rules beyond their schema, with a 400 naming the field: a seed's events as the upsert endpoint takes
# them and contacts that would be there twice; a respond fault without a status.
REFUSED_BY_RULES = {"mockSeed", "mockAddFaults"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_admin_operation_honours_its_spec(case):
    response = case.call()
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if case.operation.definition.raw.get("operationId") in REFUSED_BY_RULES and response.status_code == 400:
        assert response.json()["message"], response.text
        case.validate_response(response, excluded_checks=[positive_data_acceptance])
    else:
        case.validate_response(response)

