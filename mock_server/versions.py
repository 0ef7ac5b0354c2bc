"""The API versions the mock serves over one state, and what differs between them: one row per version.

HubSpot serves Marketing Events under `/marketing/v3/marketing-events/...` and, since 2026-03, under date-based
paths `/marketing/marketing-events/{version}/...` (CRM objects: `/crm/objects/{version}/contacts/...`). The
project's spec is written once, with v3 paths; spec.py rewrites it for each version from this table (paths,
and the nodes marked `x-versions`), and the handlers read the row for the few answers that differ. A write
through one version reads back through every other: there is one backend.

What differs, from HubSpot's own dated specs (2025-09, 2026-03, 2026-09):
- the path prefix (and the list-all path, which is the prefix itself);
- 2025-09 and 2026-09: `batch/update` declares no 207, so a partly failed batch is a 200 whose body carries
  `numErrors` and `errors`; `PropertyValue.maskedSubstrings` is gone; `vid` is declared int32, which real
  portals overflow (vids pass 2^31), so the mock keeps serving int64 vids there too;
- CRM contacts are served under v3 and 2026-03 (HubSpot's published contacts specs).
"""

from __future__ import annotations

from dataclasses import dataclass

MARKETING_EVENTS_V3 = "/marketing/v3/marketing-events"
CONTACTS_V3 = "/crm/v3/objects/contacts"


@dataclass(frozen=True)
class ApiVersion:
    name: str
    marketing_events: str  # path prefix of the Marketing Events operations
    contacts: str | None  # path prefix of the CRM contacts operations; None: not served in this version
    status: str  # for people: what HubSpot says of this version
    partial_batch_update_status: int  # batch/update with per-item errors: 207 (declared) or 200
    masked_substrings: bool  # PropertyValue carries maskedSubstrings

    def path(self, v3_path: str) -> str | None:
        """A path of the spec (written with v3 prefixes) as this version serves it; None if not served."""
        if v3_path.startswith(MARKETING_EVENTS_V3):
            return self.marketing_events + v3_path[len(MARKETING_EVENTS_V3) :]
        if v3_path.startswith(CONTACTS_V3):
            return None if self.contacts is None else self.contacts + v3_path[len(CONTACTS_V3) :]
        return v3_path

    @property
    def prefixes(self) -> tuple[str, ...]:
        return (self.marketing_events,) if self.contacts is None else (self.marketing_events, self.contacts)


V3 = ApiVersion("v3", MARKETING_EVENTS_V3, CONTACTS_V3, "v1-v4 APIs lose support in September 2027", 207, True)
VERSIONS: dict[str, ApiVersion] = {
    v.name: v
    for v in (
        V3,
        ApiVersion("2025-09", "/marketing/marketing-events/2025-09", None, "an early preview", 200, False),
        ApiVersion("2026-03", "/marketing/marketing-events/2026-03", "/crm/objects/2026-03/contacts", "generally available since 2026-03-30", 207, True),
        ApiVersion("2026-09", "/marketing/marketing-events/2026-09", None, "the next version (HubSpot's spec may still be a draft)", 200, False),
    )
}
