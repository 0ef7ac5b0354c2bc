"""Generated requests steered onto seeded objects, for the schemathesis suites.

Random ids name nothing, so a generated case mostly ends in a 404 before any rule runs. A steered case has every
reference (path, query and body: external ids, objectIds, vids, emails, lists, the app and its developer key)
pointing at something the seed made (CRM contacts by their id), and values in the units HubSpot means (interactionDateTime in ms), so it
reaches the rules. The suites steer half of the positive cases and leave the rest as generated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st

from mock_server import Settings, create_app
from mock_server.inspector.dump import dump_state

STATES = ("register", "attend", "cancel")
READ_STATES = ("REGISTERED", "ATTENDED", "CANCELLED", "NO_SHOW")
INTERACTION_MS = 1_764_601_200_000
EVENT_DETAILS_URL = "https://example.com/events/%s"


@dataclass(frozen=True)
class Seeded:
    """What a seed holds, to point requests at."""

    events: tuple[tuple[str, str], ...]  # (externalAccountId, externalEventId) of app 1's events
    vids: tuple[int, ...]
    emails: tuple[str, ...]
    lists: tuple[str, ...]
    app_id: int
    developer_key: str
    token: str

    @classmethod
    def for_suite(cls, first_vid: int, contacts: int, developer_key: str, token: str) -> "Seeded":
        """The suites' seed: three events of two accounts, `contacts` contacts from `first_vid`, two lists."""
        return cls(
            events=(("acct-1", "webinar-1"), ("acct-1", "webinar-2"), ("acct-2", "conference-1")),
            vids=tuple(first_vid + i for i in range(contacts)),
            emails=tuple(f"seeded{i}@example.com" for i in range(contacts)),
            lists=("101", "102"),
            app_id=1,
            developer_key=developer_key,
            token=token,
        )

    def app(self) -> tuple[Any, list[str]]:
        """A mock holding this seed, in CONTRACT_PROFILE (live by default), where only the seed's token is valid (so
        schemathesis' ignored-auth check has something to prove); and its events' objectIds, the same after each
        reset."""
        app = create_app(Settings.for_profile(os.environ.get("CONTRACT_PROFILE", "live"), accept_any_token=False), seed=self.seed())
        return app, [str(e["objectId"]) for e in dump_state(app.state.backend)["portals"]["1"]["events"]]

    def seed(self) -> dict[str, Any]:
        return {
            "portals": [
                {
                    "id": 1,
                    "propertyDefinitions": ["webinar_platform"],
                    "contacts": [{"vid": vid, "email": email, "properties": {"firstname": f"S{i}"}}
                                 for i, (vid, email) in enumerate(zip(self.vids, self.emails))],
                    "lists": [{"listId": list_id, "name": f"List {list_id}"} for list_id in self.lists],
                }
            ],
            "tokens": [{"token": self.token}],
            "developerKeys": [{"key": self.developer_key, "appIds": [self.app_id]}],
            "events": [
                {"externalAccountId": a, "externalEventId": e, "eventName": e.title(), "eventOrganizer": "Acme", "customProperties": []}
                for a, e in self.events
            ],
        }


def steered(case: Any, seeded: Seeded, object_ids: list[str]) -> Any:
    """A strategy for the case with its references pointing at seeded objects (the case is changed in place)."""

    def apply(event: tuple[str, str], object_id: str, vids: list[int], emails: list[str], list_id: str, state: str,
              read_state: str, by_vid: bool) -> Any:
        account, event_id = event
        named: dict[str, Any] = {
            "externalAccountId": account, "externalEventId": event_id, "objectId": object_id, "marketingEventId": object_id,
            "subscriberState": state, "listId": list_id, "appId": seeded.app_id, "q": event_id,
            "contactIdentifier": vids[0] if by_vid else emails[0], "hapikey": seeded.developer_key,
            "state": read_state, "limit": 10, "after": "0",  # a page of the read side, from its start
            "contactId": vids[0], "idProperty": "hs_object_id",  # CRM contacts, by their id
        }
        for part in (case.path_parameters, case.query):
            for name in part or {}:
                if name in named:
                    part[name] = like(part[name], named[name])
        body = case.body
        if isinstance(body, dict):
            path_event_id = (case.path_parameters or {}).get("externalEventId")
            for item, vid, email in zip(body.get("inputs") or [body], vids, emails):
                if isinstance(item, dict):
                    _steer_fields(item, {"vid": vid, "email": email, "objectId": object_id, "appId": seeded.app_id,
                                         "externalAccountId": account, "externalEventId": path_event_id or event_id})
            if "eventDetailsUrl" in body:
                body["eventDetailsUrl"] = EVENT_DETAILS_URL
        return case

    return st.builds(
        apply, st.sampled_from(seeded.events), st.sampled_from(object_ids), st.lists(st.sampled_from(seeded.vids), min_size=10, max_size=10),
        st.lists(st.sampled_from(seeded.emails), min_size=10, max_size=10), st.sampled_from(seeded.lists), st.sampled_from(STATES),
        st.sampled_from(READ_STATES), st.booleans(),
    )


def like(generated: Any, value: Any) -> Any:
    """The value as the type the spec asked for (an int where an int was generated, else a string)."""
    return int(value) if isinstance(generated, int) and not isinstance(generated, bool) else str(value)


def _steer_fields(item: dict[str, Any], values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name in item:
            item[name] = like(item[name], value)
    if "interactionDateTime" in item:
        item["interactionDateTime"] = INTERACTION_MS  # milliseconds, as HubSpot means it (seconds store nothing)
