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

A seed is checked in full before the mock starts: its shape against the spec's Seed schema (the one the admin
API's POST /__mock/seed takes), then what a schema cannot say
(a contact needs an email or a vid, nothing twice, events as the upsert endpoint takes them), every mistake
reported with its file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .clock import parse_instant
from .exceptions import ValidationError
from .source_files import FileMistakes, Mistake, SourceDocument, Where, read_document, schema_mistakes
from .spec import Operation, component_schema

OWNER_KEYS = ("portalId", "appId")


class Seed(dict[str, Any]):
    """A seed read from a file: the data, and the document it came from (for the lines of later mistakes)."""

    def __init__(self, data: dict[str, Any], document: SourceDocument) -> None:
        super().__init__(data)
        self.document = document


def read_seed(path: str | Path) -> Seed:
    """Parse a seed file (FileMistakes with the line of a syntax error, or when it is not a mapping); check_seed
    checks what it says. An empty file is an empty seed."""
    document = read_document(path)
    if document.data is None:
        document.data = {}
    if not isinstance(document.data, dict):
        raise FileMistakes(document.path, [_not_a_mapping(document)])
    return Seed(document.data, document)


def check_seed(seed: dict[str, Any], upsert: Operation) -> None:
    """A whole seed (read from a file, or given as data): its structure, what a schema cannot say, and its events
    as the upsert endpoint would take them. FileMistakes lists every mistake, with its line when the seed came
    from a file."""
    document = seed.document if isinstance(seed, Seed) else SourceDocument(Path("seed"), seed, None)
    if not isinstance(document.data, dict):
        raise FileMistakes(document.path, [_not_a_mapping(document)])
    mistakes = schema_mistakes(document, component_schema("Seed"))
    mistakes += _meaning_mistakes(document)
    mistakes += _event_mistakes(document, upsert)
    if mistakes:
        raise FileMistakes(document.path, mistakes)


def _not_a_mapping(document: SourceDocument) -> Mistake:
    return document.mistake([], f"a seed is a mapping with the keys {', '.join(component_schema('Seed')['properties'])}")


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of a list, with their indexes; anything else was reported by the schema already."""
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _meaning_mistakes(document: SourceDocument) -> list[Mistake]:
    """What the schema cannot say (values of the wrong type are skipped here: the schema named them)."""
    seed, mistakes = document.data, []
    portals: dict[int, int] = {}
    for i, portal in _items(seed.get("portals")):
        portal_id = portal.get("id")
        if isinstance(portal_id, int):
            if portal_id in portals:
                mistakes.append(document.mistake(["portals", i, "id"], f"portal {portal_id} appears twice (also portals[{portals[portal_id]}])"))
            portals.setdefault(portal_id, i)
        vids: dict[int, int] = {}
        emails: dict[str, int] = {}
        for j, contact in _items(portal.get("contacts")):
            where: list[str | int] = ["portals", i, "contacts", j]
            vid, email = contact.get("vid"), contact.get("email")
            if vid is None and email is None:
                mistakes.append(document.mistake(where, "a contact needs an email or a vid"))
            if isinstance(vid, int):
                if vid in vids:
                    mistakes.append(document.mistake([*where, "vid"], f"vid {vid} appears twice in the portal (also contacts[{vids[vid]}])"))
                vids.setdefault(vid, j)
            if isinstance(email, str) and email:
                if "@" not in email:
                    mistakes.append(document.mistake([*where, "email"], f"{email!r} is not an email address"))
                key = email.lower()  # HubSpot matches emails case-insensitively
                if key in emails:
                    mistakes.append(document.mistake([*where, "email"], f"{email} appears twice in the portal (also contacts[{emails[key]}])"))
                emails.setdefault(key, j)
    tokens: dict[str, int] = {}
    for i, token in _items(seed.get("tokens")):
        value = token.get("token")
        if not isinstance(value, str):
            continue
        if value in tokens:
            mistakes.append(document.mistake(["tokens", i, "token"], f"token {value!r} appears twice (also tokens[{tokens[value]}])"))
        tokens.setdefault(value, i)
        if any(c.isspace() for c in value):
            mistakes.append(document.mistake(["tokens", i, "token"], "a token has no spaces (a client could never send it)"))
    return mistakes


def _event_mistakes(document: SourceDocument, upsert: Operation) -> list[Mistake]:
    """Each seeded event as the upsert endpoint would take it, and no event twice for one app."""
    mistakes: list[Mistake] = []
    seen: dict[tuple[Any, ...], int] = {}
    for i, event in _items(document.data.get("events")):
        fields = {k: v for k, v in event.items() if k not in OWNER_KEYS}
        try:
            upsert.validate_body({"inputs": [fields]})
        except ValidationError as exc:
            for detail in exc.errors or [{"message": exc.message}]:
                mistakes.append(document.mistake(_seed_where(i, str(detail.get("in", ""))), str(detail.get("message", exc.message))))
        for name in ("startDateTime", "endDateTime"):
            if isinstance(fields.get(name), str):  # another type is the schema's mistake, named above
                try:
                    parse_instant(fields[name])
                except (ValueError, TypeError, OverflowError):
                    mistakes.append(document.mistake(["events", i, name], f"{name} must be an ISO-8601 date-time, got {fields[name]!r}"))
        key = (event.get("portalId"), event.get("appId"), fields.get("externalAccountId"), fields.get("externalEventId"))
        if key in seen:
            mistakes.append(document.mistake(["events", i], f"event {key[3]!r} of account {key[2]!r} appears twice for one app (also events[{seen[key]}])"))
        seen.setdefault(key, i)
    return mistakes


def _seed_where(index: int, field: str) -> Where:
    """`inputs[0].eventName` (the upsert body's field) as the seed's own ["events", index, "eventName"]."""
    parts: list[str | int] = ["events", index]
    for name, number in re.findall(r"\.?([A-Za-z_][\w]*)|\[(\d+)\]", field.removeprefix("inputs[0]")):
        parts.append(name if name else int(number))
    return parts
