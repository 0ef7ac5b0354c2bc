"""Seed files: the portals, contacts, property definitions, tokens and events a mock starts with.

JSON or YAML (by extension)::

    portals:
      - id: 1
        propertyDefinitions: [webinar_platform, room]
        contacts: [{email: ada@example.com, properties: {firstname: Ada}}, {vid: 3000000001}]
    tokens:
      - {token: pat-app2, portalId: 1, appId: 2}
      - {token: pat-readonly, scopes: [crm.objects.marketing_events.read]}
      - {token: pat-expired, expired: true}
    events:
      - {appId: 1, externalAccountId: acct-1, externalEventId: webinar-1, eventName: Launch, eventOrganizer: Ada}

A seed is checked in full before the mock starts: its shape against SEED_SCHEMA, then what a schema cannot say
(a contact needs an email or a vid, nothing twice, events as the upsert endpoint takes them), every mistake
reported with its file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from .clock import parse_instant
from .exceptions import READ_SCOPE, WRITE_SCOPE, ValidationError
from .source_files import FileMistakes, Mistake, SourceDocument, Where, read_document, schema_mistakes
from .spec import Operation

_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
_CONTACT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "vid": _ID,
        "email": {"type": "string", "minLength": 1},
        "properties": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_PORTAL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id"],
    "properties": {
        "id": _ID,
        "propertyDefinitions": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "contacts": {"type": "array", "items": _CONTACT},
    },
}
_TOKEN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["token"],
    "properties": {
        "token": {"type": "string", "minLength": 1},
        "portalId": _ID,
        "appId": _ID,
        "scopes": {"type": "array", "items": {"enum": [WRITE_SCOPE, READ_SCOPE]}},
        "expired": {"type": "boolean"},
    },
}
# An event's own fields are the upsert endpoint's request schema (profile-dependent), checked in check_seed.
_EVENT = {"type": "object", "properties": {"portalId": _ID, "appId": _ID}}
SEED_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "portals": {"type": "array", "items": _PORTAL},
        "tokens": {"type": "array", "items": _TOKEN},
        "events": {"type": "array", "items": _EVENT},
    },
}
OWNER_KEYS = ("portalId", "appId")


class Seed(dict):  # type: ignore[type-arg]
    """A seed read from a file: the data, and the document it came from (for the lines of later mistakes)."""

    def __init__(self, data: dict[str, Any], document: SourceDocument) -> None:
        super().__init__(data)
        self.document = document


def read_seed(path: str | Path) -> Seed:
    """Read and check a seed file's structure. FileMistakes names each mistake's line and field."""
    document = read_document(path)
    mistakes = structure_mistakes(document)
    if mistakes:
        raise FileMistakes(document.path, mistakes)
    return Seed(document.data, document)


def check_seed(seed: dict[str, Any], upsert: Operation) -> None:
    """A whole seed (read from a file, or given as data): its structure, and its events as the upsert endpoint
    would take them. FileMistakes lists every mistake (with lines when the seed came from a file)."""
    document = seed.document if isinstance(seed, Seed) else SourceDocument(Path("seed"), seed, None)
    mistakes = [] if isinstance(seed, Seed) else structure_mistakes(document)
    if not mistakes:
        mistakes = list(_event_mistakes(document, upsert))
    if mistakes:
        raise FileMistakes(document.path, mistakes)


def structure_mistakes(document: SourceDocument) -> list[Mistake]:
    if not isinstance(document.data, dict):
        keys = ", ".join(SEED_SCHEMA["properties"])
        return [document.mistake([], f"a seed is a mapping with the keys {keys}")]
    mistakes = schema_mistakes(document, SEED_SCHEMA)
    return mistakes or list(_meaning_mistakes(document))


def _meaning_mistakes(document: SourceDocument) -> Iterable[Mistake]:
    """What the schema cannot say."""
    seed = document.data
    portals: dict[int, int] = {}
    for i, portal in enumerate(seed.get("portals", [])):
        if portal["id"] in portals:
            yield document.mistake(["portals", i, "id"], f"portal {portal['id']} appears twice (also portals[{portals[portal['id']]}])")
        portals.setdefault(portal["id"], i)
        vids: dict[int, int] = {}
        emails: dict[str, int] = {}
        for j, contact in enumerate(portal.get("contacts", [])):
            where: list[str | int] = ["portals", i, "contacts", j]
            vid, email = contact.get("vid"), contact.get("email")
            if vid is None and email is None:
                yield document.mistake(where, "a contact needs an email or a vid")
            if email is not None and "@" not in email:
                yield document.mistake([*where, "email"], f"{email!r} is not an email address")
            if vid is not None:
                if vid in vids:
                    yield document.mistake([*where, "vid"], f"vid {vid} appears twice in portal {portal['id']} (also contacts[{vids[vid]}])")
                vids.setdefault(vid, j)
            if email is not None:
                key = email.lower()  # HubSpot matches emails case-insensitively
                if key in emails:
                    yield document.mistake([*where, "email"], f"{email} appears twice in portal {portal['id']} (also contacts[{emails[key]}])")
                emails.setdefault(key, j)
    tokens: dict[str, int] = {}
    for i, token in enumerate(seed.get("tokens", [])):
        value = token["token"]
        if value in tokens:
            yield document.mistake(["tokens", i, "token"], f"token {value!r} appears twice (also tokens[{tokens[value]}])")
        tokens.setdefault(value, i)
        if any(c.isspace() for c in value):
            yield document.mistake(["tokens", i, "token"], "a token has no spaces (a client could never send it)")


def _event_mistakes(document: SourceDocument, upsert: Operation) -> Iterable[Mistake]:
    """Each seeded event as the upsert endpoint would take it, and no event twice for one app."""
    seen: dict[tuple[Any, ...], int] = {}
    for i, event in enumerate(document.data.get("events", [])):
        fields = {k: v for k, v in event.items() if k not in OWNER_KEYS}
        try:
            upsert.validate_body({"inputs": [fields]})
        except ValidationError as exc:
            for detail in exc.errors or [{"message": exc.message}]:
                where = _seed_where(i, str(detail.get("in", "")))
                yield document.mistake(where, str(detail.get("message", exc.message)))
            continue
        for name in ("startDateTime", "endDateTime"):
            if name in fields:
                try:
                    parse_instant(fields[name])
                except (ValueError, TypeError, OverflowError):
                    yield document.mistake(["events", i, name], f"{name} must be an ISO-8601 date-time, got {fields[name]!r}")
        key = (event.get("portalId"), event.get("appId"), fields.get("externalAccountId"), fields.get("externalEventId"))
        if key in seen:
            yield document.mistake(["events", i], f"event {key[3]!r} of account {key[2]!r} appears twice for one app (also events[{seen[key]}])")
        seen.setdefault(key, i)


def _seed_where(index: int, field: str) -> Where:
    """`inputs[0].eventName` (the upsert body's field) as the seed's own ["events", index, "eventName"]."""
    parts: list[str | int] = ["events", index]
    for name, number in re.findall(r"\.?([A-Za-z_][\w]*)|\[(\d+)\]", field.removeprefix("inputs[0]")):
        parts.append(name if name else int(number))
    return parts
