"""Seed data (a --seed file, POST /__mock/seed): portals with property definitions and contacts, tokens, events.
Seeds are checked against their schema before they get here (seed.py, the admin API's spec)."""

from __future__ import annotations

import itertools
from typing import Any

from ..exceptions import ALL_SCOPES
from .app_settings import AppSettings
from .attendance import Attendance
from .base import locked
from .lists import Lists
from .records import NO_PROPERTIES, ContactList, Principal
from .tokens import Tokens, token_key


class Seeding(Attendance, Lists, AppSettings, Tokens):
    @locked
    def load_seed(self, seed: dict[str, Any]) -> None:
        portals = seed.get("portals", [])
        explicit = [int(c["vid"]) for raw in portals for c in raw.get("contacts", []) if c.get("vid") is not None]
        if explicit:  # allocate new vids above every seeded one, so none is handed out twice
            self._vids = itertools.count(max(max(explicit) + 1, next(self._vids)))
        for raw in portals:
            portal = self.portal(int(raw["id"]))
            portal.property_definitions.update(raw.get("propertyDefinitions", []))
            for item in raw.get("lists", []):
                list_id = str(item["listId"])
                portal.lists[list_id] = ContactList(
                    list_id, item.get("name", f"List {list_id}"), item.get("processingType", "MANUAL"),
                    int(item.get("size", 0)), self.clock.now_ms(),
                )
            for c in raw.get("contacts", []):
                vid = None if c.get("vid") is None else int(c["vid"])
                email = c.get("email")
                if vid in portal.contacts or (email and email.lower() in portal.vid_by_email):
                    raise ValueError(f"seed: contact {vid or email} is already in portal {portal.portal_id}")
                self.add_contact(portal, email, c.get("properties") or NO_PROPERTIES, vid=vid)
        for raw in seed.get("tokens", []):
            self.tokens[token_key(raw["token"])] = Principal(
                int(raw.get("portalId", self.settings.default_portal_id)),
                int(raw.get("appId", self.settings.default_app_id)),
                frozenset(raw.get("scopes", ALL_SCOPES)),
                bool(raw.get("expired", False)),
            )
        for raw in seed.get("developerKeys", []):
            self.developer_keys[raw["key"]] = frozenset(int(app) for app in raw.get("appIds", []))
        by_owner: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for raw in seed.get("events", []):
            owner = (int(raw.get("portalId", self.settings.default_portal_id)), int(raw.get("appId", self.settings.default_app_id)))
            by_owner.setdefault(owner, []).append({k: v for k, v in raw.items() if k not in ("portalId", "appId")})
        for (portal_id, app_id), events in by_owner.items():
            self.upsert_events(Principal(portal_id, app_id), events)
