"""Seed files: the portals (property definitions, contacts, lists), tokens, developer keys and events a mock
starts with.

JSON or YAML (by extension)::

    portals:
      - id: 1
        propertyDefinitions: [webinar_platform, room]
        contacts: [{email: ada@example.com, properties: {firstname: Ada}}, {vid: 3000000001}]
        lists: [{listId: "101", name: Webinar leads}]
    tokens:
      - {token: pat-app2, portalId: 1, appId: 2}
      - {token: pat-readonly, scopes: [crm.objects.marketing_events.read]}
      - {token: pat-expired, expired: true}
    developerKeys:
      - {key: dev-key-1, appIds: [1]}
    events:
      - {appId: 1, externalAccountId: acct-1, externalEventId: webinar-1, eventName: Launch, eventOrganizer: Ada}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .exceptions import ValidationError
from .spec import Operation

SEED_KEYS = {"portals", "tokens", "developerKeys", "events"}


def read_seed(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict) or not set(data) <= SEED_KEYS:
        raise ValueError(f"{path}: a seed is a mapping with keys {sorted(SEED_KEYS)}")
    return data


def check_seed_events(seed: dict[str, Any], upsert: Operation) -> None:
    """Seeded events must be what the upsert endpoint would accept; say which one is not."""
    inputs = [{k: v for k, v in e.items() if k not in ("portalId", "appId")} for e in seed.get("events", [])]
    try:
        upsert.validate_body({"inputs": inputs})
    except ValidationError as exc:
        raise ValueError(f"seed events: {exc.message} ({exc.errors[0].get('in') if exc.errors else ''})") from None
