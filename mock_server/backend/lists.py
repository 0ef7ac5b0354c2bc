"""Lists associated with events. HubSpot's lists are an API of their own; the mock holds what the
associations need: each portal's lists (from the seed) and each event's associated list ids."""

from __future__ import annotations

from .base import BackendBase, locked
from .records import ContactList, MarketingEvent


class Lists(BackendBase):
    @locked
    def lists_of(self, event: MarketingEvent) -> list[ContactList]:
        lists = self.portal(event.portal_id).lists
        return [lists[list_id] for list_id in event.list_ids if list_id in lists]

    @locked
    def associate_list(self, event: MarketingEvent, list_id: str) -> None:
        """Idempotent; the list must be one of the portal's (or any id, with accept_unknown_lists)."""
        portal = self.portal(event.portal_id)
        if list_id not in portal.lists:
            if not self.settings.accept_unknown_lists:
                raise self.not_found(f"List {list_id} does not exist in portal {portal.portal_id}")
            portal.lists[list_id] = ContactList(list_id, f"List {list_id}", created_at=self.clock.now_ms())
        if list_id not in event.list_ids:
            event.list_ids.append(list_id)
            self.changes.record("list", "associated", (event.object_id, list_id), portal.lists[list_id].name)

    @locked
    def disassociate_list(self, event: MarketingEvent, list_id: str) -> None:
        """Idempotent: a list that was not associated is no error."""
        if list_id in event.list_ids:
            event.list_ids.remove(list_id)
            self.changes.record("list", "disassociated", (event.object_id, list_id), None)
