"""Contacts of a portal: found by email case-insensitively, created by email-create, never changed by it."""

from __future__ import annotations

from typing import Mapping

from .base import BackendBase
from .records import Contact, Portal, other_properties


class Contacts(BackendBase):
    def contact_by_email(self, portal: Portal, email: str, contact_properties: Mapping[str, str]) -> Contact:
        """Find a contact case-insensitively, or create it; contactProperties never touch an existing one."""
        vid = portal.vid_by_email.get(email.lower())
        if vid is not None:
            return portal.contacts[vid]
        return self.add_contact(portal, email, contact_properties)

    def find_contact(self, portal: Portal, identifier: str) -> Contact | None:
        """A contact by vid (digits) or by email, case-insensitively."""
        identifier = identifier.strip()
        if identifier.isascii() and identifier.isdigit():
            return portal.contacts.get(int(identifier))
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
