"""Build a state file (for `hubspot-mock --state FILE`) holding many subscriber records.

A subscriber record is one contact's participation in one event, with its recorded state (register). By
default every record is a distinct contact, as when an integration pushes attendance by email: 1,000,000
records are 1,000,000 contacts spread over 100 events of 10,000 subscribers. The benchmark's seed comes first
and its event (`bench-webinar`) is the first of those events, so the benchmark's requests hit an event that
already holds its share of subscribers.

The records go in through the backend's own write path (Backend.upsert_by_contact_id) and out through
mock_server.snapshot.save_snapshot, so the file is exactly what the mock itself would save.

    .venv/bin/python benchmarks/state_image.py OUT.json [--records 1000000] [--events 100] [--contacts N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml
from workload import ACCOUNT, EVENT, INTERACTION_MS, SEED

from mock_server.backend import Backend, Principal
from mock_server.settings import Settings
from mock_server.snapshot import save_snapshot

FIRST_VID = 4_000_000_001
CHUNK = 10_000  # inputs per backend call, as a batch an integration would send


def build(records: int, events: int, contacts: int | None = None) -> Backend:
    contacts = contacts or records
    seed = yaml.safe_load(SEED.read_text())
    seed["portals"][0]["contacts"] += [
        {"vid": FIRST_VID + i, "email": f"subscriber-{i}@example.com"} for i in range(contacts)
    ]
    seed["events"] += [
        {"externalAccountId": ACCOUNT, "externalEventId": f"state-event-{e}", "eventName": f"Event {e}", "eventOrganizer": "Bench"}
        for e in range(1, events)
    ]
    backend = Backend(Settings())
    backend.load_seed(seed)
    principal = Principal(backend.settings.default_portal_id, backend.settings.default_app_id)
    names = [EVENT] + [f"state-event-{e}" for e in range(1, events)]
    for n in range(0, records, CHUNK):
        indexes = range(n, min(n + CHUNK, records))
        by_event: dict[str, list[dict]] = {}
        for i in indexes:  # record i: contact i mod contacts, in a different event on each pass over the contacts
            event = names[(i + i // contacts) % events]
            by_event.setdefault(event, []).append({"vid": FIRST_VID + i % contacts, "interactionDateTime": INTERACTION_MS})
        for name, inputs in by_event.items():
            outcome = backend.upsert_by_contact_id(principal, name, "register", ACCOUNT, inputs)
            if outcome.errors:
                raise RuntimeError(f"state image: {outcome.errors[0].message}")
    if subscriber_count(backend) != records:
        raise ValueError(f"{records:,} records need at least {-(-records // events):,} contacts for {events} events")
    return backend


def subscriber_count(backend: Backend) -> int:
    return sum(len(e.participations) for p in backend.portals.values() for e in p.events.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--contacts", type=int, default=None, help="distinct contacts (default: one per record)")
    args = parser.parse_args()
    started = time.perf_counter()
    backend = build(args.records, args.events, args.contacts)
    save_snapshot(backend, args.out)
    print(f"{subscriber_count(backend):,} subscriber records in {args.out} ({args.out.stat().st_size / 2**20:.0f} MiB, "
          f"{time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
