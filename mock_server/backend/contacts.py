"""Contacts of a portal: found by email case-insensitively, created by email-create (and never changed by it),
and the part of HubSpot's CRM contacts API integrations use around marketing events: search, read, create,
update, batch read.

A contact's HubSpot properties are its email, what it was given (contactProperties, CRM writes), and what
HubSpot derives: hs_object_id (its vid), createdate and lastmodifieddate.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Callable, Iterable, Mapping

from ..clock import iso_ms
from ..exceptions import Conflict
from .base import BackendBase, locked
from .records import BatchOutcome, Contact, ItemError, Portal, Principal, invalid, other_properties

# What a read answers when it names no properties (HubSpot's default set).
DEFAULT_PROPERTIES = ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname")
DERIVED = {"hs_object_id", "createdate", "lastmodifieddate"}  # HubSpot sets these; writes cannot
Filter = dict[str, Any]


class Contacts(BackendBase):
    # ------------------------------------------------------------------ as the marketing-events rules use them
    def contact_by_email(self, portal: Portal, email: str, contact_properties: Mapping[str, str]) -> Contact:
        """Find a contact case-insensitively, or create it; contactProperties never touch an existing one."""
        vid = portal.vid_by_email.get(email.lower())
        if vid is not None:
            return portal.contacts[vid]
        return self.add_contact(portal, email, contact_properties)

    def find_contact(self, portal: Portal, identifier: str, id_property: str | None = None) -> Contact | None:
        """A contact by vid (digits) or by email, case-insensitively; `id_property="email"` names by email only."""
        identifier = identifier.strip()
        if id_property not in (None, "email", "hs_object_id"):
            raise invalid("idProperty", f"idProperty must be email or hs_object_id (a unique property), got {id_property}")
        if id_property != "email" and identifier.isascii() and identifier.isdigit():
            return portal.contacts.get(int(identifier))
        if id_property == "hs_object_id":
            return None
        vid = portal.vid_by_email.get(identifier.lower())
        return None if vid is None else portal.contacts[vid]

    def add_contact(self, portal: Portal, email: str | None, properties: Mapping[str, str], vid: int | None = None) -> Contact:
        vid = next(self._vids) if vid is None else vid
        normalized = email.lower() if email else None
        contact = Contact(vid, normalized, other_properties(properties, normalized), self.clock.now_ms())
        portal.contacts[vid] = contact
        if normalized:
            portal.vid_by_email[normalized] = vid
        self.changes.record("contact", "created", vid, normalized)
        return contact

    # ------------------------------------------------------------------ the CRM contacts API
    @locked
    def create_contact(self, principal: Principal, properties: Mapping[str, str]) -> Contact:
        """POST /crm/v3/objects/contacts: an email already held is HubSpot's 409 naming the existing id."""
        portal = self.portal(principal.portal_id)
        writable = _writable(properties)
        email = writable.get("email") or None
        if email is not None:
            existing = portal.vid_by_email.get(email.strip().lower())
            if existing is not None:
                raise Conflict(f"Contact already exists. Existing ID: {existing}")
            email = email.strip()
        return self.add_contact(portal, email, writable)

    @locked
    def update_contact(self, principal: Principal, identifier: str, id_property: str | None, properties: Mapping[str, str]) -> Contact:
        """PATCH: the given properties replace, the others stay; a new email must be free."""
        portal = self.portal(principal.portal_id)
        contact = self._contact(portal, identifier, id_property)
        writable = _writable(properties)
        email = contact.email
        if "email" in writable:
            email = writable["email"].strip().lower() or None
            holder = portal.vid_by_email.get(email) if email else None
            if holder is not None and holder != contact.vid:
                raise Conflict(f"Contact already exists. Existing ID: {holder}")
            if contact.email:
                del portal.vid_by_email[contact.email]
            if email:
                portal.vid_by_email[email] = contact.vid
        others = {k: v for k, v in writable.items() if k != "email"}
        # A new object, never a change in place: a state save copies the contacts map, not each contact.
        updated = Contact(
            contact.vid, email, {**contact.other_properties, **others} if others else contact.other_properties,
            contact.created_at, self.clock.now_ms(),
        )
        portal.contacts[contact.vid] = updated
        self.changes.record("contact", "updated", contact.vid, email)
        return updated

    @locked
    def get_contact(self, principal: Principal, identifier: str, id_property: str | None) -> Contact:
        return self._contact(self.portal(principal.portal_id), identifier, id_property)

    @locked
    def read_contacts(self, principal: Principal, identifiers: Iterable[str], id_property: str | None) -> BatchOutcome:
        """batch/read: the contacts found, and a per-item error for each id that names none."""
        portal = self.portal(principal.portal_id)
        outcome = BatchOutcome()
        seen: set[int] = set()
        for identifier in identifiers:
            contact = self.find_contact(portal, identifier, id_property)
            if contact is None:
                outcome.errors.append(
                    ItemError(f"Could not get some CONTACT objects, they may be deleted or not exist: {identifier}",
                              {"ids": [identifier]}, category="OBJECT_NOT_FOUND")
                )
            elif contact.vid not in seen:
                seen.add(contact.vid)
                outcome.results.append(contact)
        return outcome

    @locked
    def search_contacts(
        self, principal: Principal, filter_groups: list[dict[str, Any]], sorts: list[Any], after: int, limit: int, query: str | None = None
    ) -> tuple[int, list[Contact], int | None]:
        """POST /crm/v3/objects/contacts/search: filter groups are ORed, the filters of a group ANDed. Operators:
        EQ, NEQ, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY (EQ and IN on email ignore case, as HubSpot)."""
        tests = [[_filter(f, f"filterGroups[{g}].filters[{i}]") for i, f in enumerate(group.get("filters", []))]
                 for g, group in enumerate(filter_groups)]
        needle = (query or "").strip().lower()
        found = [
            c for c in self.portal(principal.portal_id).contacts.values()
            if (not tests or any(all(test(c) for test in group) for group in tests))
            and (not needle or any(needle in str(v).lower() for v in contact_properties(c).values()))
        ]
        for name, descending in reversed([_sort(s, f"sorts[{i}]") for i, s in enumerate(sorts)]):
            found.sort(key=lambda c: _sort_key(contact_properties(c).get(name)), reverse=descending)
        end = after + limit
        return len(found), found[after:end], end if end < len(found) else None

    def _contact(self, portal: Portal, identifier: str, id_property: str | None) -> Contact:
        contact = self.find_contact(portal, identifier, id_property)
        if contact is None:
            raise self.not_found(f"Object not found. objectId are usually numeric. ({identifier})")
        return contact


def contact_properties(c: Contact) -> dict[str, str]:
    """Everything HubSpot holds for the contact, derived properties included."""
    props = dict(c.properties)
    props["hs_object_id"] = str(c.vid)
    props["createdate"] = iso_ms(c.created_at)
    props["lastmodifieddate"] = iso_ms(c.last_modified)
    return props


def _writable(properties: Mapping[str, str]) -> dict[str, str]:
    derived = sorted(DERIVED & properties.keys())
    if derived:
        raise invalid(f"properties.{derived[0]}", f"{', '.join(derived)} cannot be set: HubSpot sets it")
    return dict(properties)


def _filter(raw: dict[str, Any], where: str) -> Callable[[Contact], bool]:
    name, operator = raw["propertyName"], raw["operator"]
    fold = (lambda v: v.lower()) if name == "email" else (lambda v: v)

    def value(c: Contact) -> str | None:
        found = contact_properties(c).get(name)
        return None if found is None else fold(str(found))

    if operator in ("EQ", "NEQ"):
        if "value" not in raw:
            raise invalid(f"{where}.value", f"{operator} needs a value")
        wanted = fold(str(raw["value"]))
        return (lambda c: value(c) == wanted) if operator == "EQ" else (lambda c: value(c) != wanted)
    if operator in ("IN", "NOT_IN"):
        if not isinstance(raw.get("values"), list):
            raise invalid(f"{where}.values", f"{operator} needs values")
        options = {fold(str(v)) for v in raw["values"]}
        return (lambda c: value(c) in options) if operator == "IN" else (lambda c: value(c) not in options)
    if operator == "HAS_PROPERTY":
        return lambda c: value(c) not in (None, "")
    if operator == "NOT_HAS_PROPERTY":
        return lambda c: value(c) in (None, "")
    if operator in _ORDER_TESTS or operator == "BETWEEN":
        if "value" not in raw or (operator == "BETWEEN" and "highValue" not in raw):
            raise invalid(f"{where}.value", f"{operator} needs a value" + (" and a highValue" if operator == "BETWEEN" else ""))
        low = fold(str(raw["value"]))
        if operator == "BETWEEN":
            high = fold(str(raw["highValue"]))
            return lambda c: _ORDER_TESTS["GTE"](_compare(value(c), low)) and _ORDER_TESTS["LTE"](_compare(value(c), high))
        test = _ORDER_TESTS[operator]
        return lambda c: test(_compare(value(c), low))
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        if "value" not in raw:
            raise invalid(f"{where}.value", f"{operator} needs a value")
        pattern = str(raw["value"]).lower()
        contains = operator == "CONTAINS_TOKEN"
        return lambda c: any(fnmatch.fnmatchcase(t, pattern) for t in _tokens(value(c))) is contains
    raise invalid(f"{where}.operator", f"operator {operator} is not one of HubSpot's")


# [A] Ordered operators compare as numbers when both sides are numbers, else as text (the mock keeps every
# property as a string; HubSpot knows each property's type). A contact without the property never matches.
_ORDER_TESTS: dict[str, Callable[[int | None], bool]] = {
    "GT": lambda r: r is not None and r > 0,
    "GTE": lambda r: r is not None and r >= 0,
    "LT": lambda r: r is not None and r < 0,
    "LTE": lambda r: r is not None and r <= 0,
}


def _compare(have: str | None, want: str) -> int | None:
    if have is None or have == "":
        return None
    try:
        a, b = float(have), float(want)
    except ValueError:
        return (have > want) - (have < want)
    return (a > b) - (a < b)


def _tokens(text: str | None) -> list[str]:
    """[A] CONTAINS_TOKEN: the value's words (letters and digits), without case; `*` in the query is a wildcard."""
    return re.findall(r"[\w]+", text.lower()) if text else []


def _sort(raw: Any, where: str) -> tuple[str, bool]:
    """A sort as HubSpot's spec writes it (a property name, `-name` descending) or as clients send it
    ({propertyName, direction: ASCENDING|DESCENDING})."""
    if isinstance(raw, str) and raw:
        return (raw[1:], True) if raw.startswith("-") else (raw, False)
    if isinstance(raw, dict) and isinstance(raw.get("propertyName"), str):
        return raw["propertyName"], raw.get("direction", "ASCENDING") == "DESCENDING"
    raise invalid(where, "a sort is a property name or {propertyName, direction}")


def _sort_key(value: str | None) -> tuple[int, str]:
    return (1, "") if value is None else (0, value)
