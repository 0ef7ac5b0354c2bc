"""The one assertion of HubSpot's error envelope that the HTTP test modules share."""

from __future__ import annotations

import re
from typing import Any

JSON_CT = "application/json;charset=utf-8"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ABSENT = object()  # category=ABSENT: the envelope must have no category key (routing 404, 405, 429)


def assert_error_response(response: Any, status: int | None = None, category: Any = "VALIDATION_ERROR") -> dict[str, Any]:
    """HubSpot's envelope: the status (any 4xx when None), JSON content type, a uuid4 correlationId repeated in
    the header, and the category (not checked when None, must be missing when ABSENT)."""
    if status is None:
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    else:
        assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"] == JSON_CT
    body = response.json()
    assert body["status"] == "error"
    assert isinstance(body["message"], str) and body["message"]
    assert UUID4.match(body["correlationId"]), body["correlationId"]
    assert response.headers["X-HubSpot-Correlation-Id"] == body["correlationId"]
    if category is ABSENT:
        assert "category" not in body
    elif category is not None:
        assert body["category"] == category
    return body
