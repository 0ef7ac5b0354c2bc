"""What a JSON key or value means when two answers are compared: an id, a value that always differs, or data.

HubSpot and the shadow mock give every object its own ids, stamp their own times and correlation ids; those
are compared by type and format only. Everything else is data and must be equal.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

JSON = Any  # a parsed JSON value: dict, list, str, int, float, bool or None

# Keys whose values name a HubSpot object. Ids end in Id / Ids too (contactId, objectIds); external ids do not
# count: the caller chooses them, so they are the same on both sides.
ID_KEYS = frozenset({"id", "objectId", "vid", "vids", "hs_object_id", "contactIdentifier", "existingObjectId"})
NOT_ID_KEYS = frozenset({"correlationId", "requestId", "traceId"})

# Keys whose values differ on every call: times, correlation ids, free-text messages, paging cursors and links.
VOLATILE_KEYS = frozenset({"correlationId", "requestId", "traceId", "message", "after", "before", "link", "links", "href"})
VOLATILE_SUFFIXES = ("At", "DateTime", "Timestamp", "Time")

# Keys that name a list item the same way on both sides, used to pair items whose order differs.
NATURAL_KEYS = ("email", "externalEventId", "externalAccountId", "eventName", "name", "propertyName", "attendanceState")

ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?P<fraction>\.\d+)?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
EMAIL = re.compile(r"[^@\s/`'\"<>]+@[^@\s/`'\"<>]+\.[A-Za-z0-9-]+")


def is_id_key(key: str) -> bool:
    if key in NOT_ID_KEYS or key.startswith("external"):
        return False
    return key in ID_KEYS or key.endswith(("Id", "Ids"))


def is_volatile_key(key: str) -> bool:
    return key in VOLATILE_KEYS or key.endswith(VOLATILE_SUFFIXES)


def is_id_shaped(value: JSON) -> bool:
    """An integer or a string of digits: what HubSpot's object ids look like."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and 0 < len(value) <= 20 and value.isdigit()


def json_type(value: JSON) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def string_format(value: str) -> str:
    """The format of a string whose value always differs, so that only its format is compared."""
    match = ISO_DATE_TIME.fullmatch(value)
    if match:
        fraction = match.group("fraction")
        zone = match.group("zone")
        precision = f"{len(fraction) - 1}-digit fraction" if fraction else "no fraction"
        where = "Z" if zone == "Z" else ("offset" if zone else "no zone")
        return f"ISO date-time ({precision}, {where})"
    if ISO_DATE.fullmatch(value):
        return "ISO date"
    if UUID.fullmatch(value):
        return "uuid" if value == value.lower() else "upper-case uuid"
    if value.isdigit():
        return "digits"
    if EMAIL.fullmatch(value):
        return "email"
    return "text"


def is_volatile_value(value: JSON) -> bool:
    """Generated values recognised by their shape, whatever their key: date-times and uuids."""
    return isinstance(value, str) and (ISO_DATE_TIME.fullmatch(value) is not None or UUID.fullmatch(value) is not None)


def align(upstream: list[JSON], mock: list[JSON]) -> list[tuple[JSON, JSON]]:
    """Pairs of items to compare. Items are paired by their natural keys (an email, an event's name) when every
    upstream item has a distinct one that the mock's list also has, since neither side promises an order;
    otherwise by position."""
    if upstream and mock and all(isinstance(x, dict) for x in upstream + mock):
        upstream_keys = [_signature(x) for x in upstream]
        mock_keys = [_signature(x) for x in mock]
        if all(upstream_keys) and _distinct(upstream_keys) and _distinct(mock_keys):
            by_key = dict(zip(mock_keys, mock))
            # Every item of the shorter list has its counterpart: pair by key (a longer list's extra items are
            # reported by the length difference).
            if len(set(upstream_keys) & set(by_key)) == min(len(upstream), len(mock)):
                return [(x, by_key[k]) for x, k in zip(upstream, upstream_keys) if k in by_key]
    return list(zip(upstream, mock))


def _signature(item: dict[str, JSON]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(_natural_values(item, "")))


def _natural_values(item: dict[str, JSON], prefix: str) -> Iterator[tuple[str, str]]:
    for key, value in item.items():
        if isinstance(value, dict):
            yield from _natural_values(value, f"{prefix}{key}.")
        elif key in NATURAL_KEYS and isinstance(value, str):
            yield f"{prefix}{key}", value


def _distinct(keys: list[tuple[tuple[str, str], ...]]) -> bool:
    return len(set(keys)) == len(keys)
