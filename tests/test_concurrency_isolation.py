"""Concurrency against a live server, tenant isolation as a property, and tokens never reaching the journal."""

from __future__ import annotations

import asyncio
import copy
import json
import random
import time
from collections import defaultdict
from typing import Any

import httpx
from hypothesis import HealthCheck, settings as hsettings, strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.clock import FakeClock
from mock_server.testing import serve_in_thread
from mock_server.inspector.dump import dump_state

BASE = "/marketing/v3/marketing-events"
UPSERT_EVENTS = f"{BASE}/events/upsert"
NOW_MS = 1_767_225_600_000

# Distinctive token strings, so that "not in the journal" cannot pass or fail by coincidence.
TOK_A1 = "pat-na1-tok-a1-7f3c9e51"  # portal 1, app 1
TOK_A2 = "pat-na1-tok-a2-2b8d6a04"  # portal 1, app 2
TOK_B1 = "pat-eu1-tok-b1-9e41c7d2"  # portal 2, app 1
TOKENS = {TOK_A1: (1, 1), TOK_A2: (1, 2), TOK_B1: (2, 1)}
SEED: dict[str, Any] = {
    "portals": [{"id": 1}, {"id": 2}],
    "tokens": [{"token": t, "portalId": p, "appId": a} for t, (p, a) in TOKENS.items()],
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def event_input(event_id: str, name: str, account: str = "acct-1") -> dict[str, Any]:
    return {
        "externalAccountId": account,
        "externalEventId": event_id,
        "eventName": name,
        "eventOrganizer": "Acme",
        "customProperties": [],
    }


def email_input(email: str, at: int) -> dict[str, Any]:
    return {"email": email, "interactionDateTime": at, "properties": {}, "contactProperties": {"firstname": "X"}}


def email_path(object_id: str, state: str = "register") -> str:
    return f"{BASE}/{object_id}/attendance/{state}/email-create"


def assert_no_token_in_journal(app: Any, tokens: list[str]) -> None:
    entries = app.state.mock.journal.entries()
    assert entries, "the journal recorded nothing"
    text = json.dumps([e.to_dict() for e in entries])
    for token in tokens:
        assert token not in text, f"token {token!r} leaked into the journal"


# ---------------------------------------------------------------------------------------------- 1. concurrency
N_CLIENTS = 64
ROUNDS = 12  # each round: one upsert and one email-create per client -> 64 * 12 * 2 = 1,536 requests
EVENT_IDS = [f"evt-{i}" for i in range(8)]
BASE_EMAILS = [f"user{i}@x.com" for i in range(20)]


def case_variant(rng: random.Random, email: str) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c for c in email)


def test_concurrent_upserts_and_email_creates_match_the_sequential_model() -> None:
    app = create_app(Settings(journal_size=5000), seed=SEED)
    statuses: list[int] = []
    names_sent: dict[str, set[str]] = defaultdict(set)
    object_ids_seen: dict[str, set[str]] = defaultdict(set)
    emails_sent: dict[str, set[str]] = defaultdict(set)  # objectId -> lower-cased emails answered 200
    vid_by_email_seen: dict[str, set[int]] = defaultdict(set)

    async def one_client(base: str, n: int) -> None:
        rng = random.Random(1000 + n)
        known: dict[str, str] = {}  # externalEventId -> objectId, learnt from this client's own upserts
        async with httpx.AsyncClient(base_url=base, headers=auth(TOK_A1), timeout=30) as client:
            for r in range(ROUNDS):
                ops = ["upsert", "email"]
                rng.shuffle(ops)  # mixed order across clients and rounds
                for op in ops:
                    if op == "email" and not known:
                        op = "upsert"
                    if op == "upsert":
                        event_id = rng.choice(EVENT_IDS)
                        name = f"{event_id} by client {n} round {r}"
                        names_sent[event_id].add(name)
                        resp = await client.post(UPSERT_EVENTS, json={"inputs": [event_input(event_id, name)]})
                        statuses.append(resp.status_code)
                        if resp.status_code == 200:
                            (result,) = resp.json()["results"]
                            object_ids_seen[event_id].add(result["objectId"])
                            known[event_id] = result["objectId"]
                    else:
                        event_id = rng.choice(sorted(known))
                        object_id = known[event_id]
                        emails = [case_variant(rng, e) for e in rng.sample(BASE_EMAILS, 3)]
                        at = NOW_MS + rng.randrange(1, 10**6)
                        body = {"inputs": [email_input(e, at) for e in emails]}
                        resp = await client.post(email_path(object_id), json=body)
                        statuses.append(resp.status_code)
                        if resp.status_code == 200:
                            emails_sent[object_id].update(e.lower() for e in emails)
                            for item in resp.json()["results"]:
                                vid_by_email_seen[item["email"]].add(item["vid"])

    started = time.perf_counter()
    with serve_in_thread(app) as base:

        async def main() -> None:
            await asyncio.gather(*(one_client(base, n) for n in range(N_CLIENTS)))

        asyncio.run(main())
    elapsed = time.perf_counter() - started

    assert len(statuses) == N_CLIENTS * ROUNDS * 2
    assert not [s for s in statuses if s >= 500], "5xx answers under concurrency"
    assert set(statuses) == {200}, sorted(set(statuses))

    state = dump_state(app.state.backend)["portals"]["1"]
    events = state["events"]
    # Exactly one event per key, and every client that upserted a key was told the same objectId.
    assert sorted(e["externalEventId"] for e in events) == sorted(EVENT_IDS)
    for event in events:
        assert object_ids_seen[event["externalEventId"]] == {event["objectId"]}
        assert event["eventName"] in names_sent[event["externalEventId"]]

    # Exactly one contact per email (case-insensitively), unique vids.
    contacts = state["contacts"]
    emails = [c["email"] for c in contacts]
    assert sorted(emails) == sorted(BASE_EMAILS)
    assert len({e.lower() for e in emails}) == len(emails)
    vids = [c["vid"] for c in contacts]
    assert len(set(vids)) == len(vids)
    email_by_vid = {c["vid"]: c["email"] for c in contacts}
    # Every answer named the one vid of its email.
    for email, seen in vid_by_email_seen.items():
        assert len(seen) == 1 and email_by_vid[seen.pop()] == email

    # Each event's subscribers are exactly the emails registered on it.
    for event in events:
        subscribers = {email_by_vid[s["vid"]] for s in event["subscribers"]}
        assert subscribers == emails_sent.get(event["objectId"], set()), event["externalEventId"]
        assert len(event["subscribers"]) == len(subscribers)

    assert_no_token_in_journal(app, list(TOKENS))
    assert elapsed < 60, f"{len(statuses)} requests took {elapsed:.1f}s"


# ---------------------------------------------------------------------------------------------- 2. isolation
EXT_IDS = ["e1", "e2"]
ACCOUNTS = ["acct-1", "acct-2"]
token_st = st.sampled_from(list(TOKENS))


class IsolationMachine(RuleBasedStateMachine):
    """Random tokens act on a shared mock; a model of who owns what checks every answer."""

    object_ids = Bundle("object_ids")

    def __init__(self) -> None:
        super().__init__()
        self.app = create_app(Settings(), seed=SEED, clock=FakeClock())
        self.client = TestClient(self.app)
        self.by_key: dict[tuple[int, int, str, str], str] = {}  # (portal, app, account, ext) -> objectId
        self.owner: dict[str, tuple[int, int]] = {}  # objectId -> (portal, app)
        self.subscribers: dict[str, set[str]] = defaultdict(set)
        self.tick = 0

    # ----------------------------------------------------------- helpers
    def portal_dump(self, portal: int) -> dict[str, Any]:
        return copy.deepcopy(dump_state(self.app.state.backend)["portals"][str(portal)])

    def events_of(self, portal: int, app: int) -> list[dict[str, Any]]:
        return [e for e in self.portal_dump(portal)["events"] if e["appId"] == app]

    def check_others_untouched(self, token: str, before: dict[int, dict[str, Any]]) -> None:
        portal, _ = TOKENS[token]
        for other in (1, 2):
            if other != portal:
                assert self.portal_dump(other) == before[other], f"portal {other} changed by a portal-{portal} call"

    def snapshot_all(self) -> dict[int, dict[str, Any]]:
        return {1: self.portal_dump(1), 2: self.portal_dump(2)}

    # ----------------------------------------------------------- rules
    @rule(target=object_ids, token=token_st, ext=st.sampled_from(EXT_IDS), account=st.sampled_from(ACCOUNTS))
    def upsert(self, token: str, ext: str, account: str) -> str:
        portal, app = TOKENS[token]
        before = self.snapshot_all()
        others_same_portal = [e for e in before[portal]["events"] if e["appId"] != app]
        self.tick += 1
        resp = self.client.post(
            UPSERT_EVENTS, json={"inputs": [event_input(ext, f"n{self.tick}", account)]}, headers=auth(token)
        )
        assert resp.status_code == 200, resp.text
        (result,) = resp.json()["results"]
        object_id = result["objectId"]
        key = (portal, app, account, ext)
        if key in self.by_key:
            assert object_id == self.by_key[key]
        else:
            assert object_id not in self.owner, "an upsert reused another app's or portal's event"
            self.by_key[key] = object_id
            self.owner[object_id] = (portal, app)
        # Another app's events (same external ids or not) and other portals are untouched.
        after_same_portal = [e for e in self.portal_dump(portal)["events"] if e["appId"] != app]
        assert after_same_portal == others_same_portal
        self.check_others_untouched(token, before)
        return object_id

    @rule(token=token_st, object_id=object_ids, emails=st.lists(st.sampled_from(["Ada@x.com", "ada@x.com", "bob@x.com"]), min_size=1, max_size=2))
    def email_create(self, token: str, object_id: str, emails: list[str]) -> None:
        portal, _ = TOKENS[token]
        before = self.snapshot_all()
        self.tick += 1
        body = {"inputs": [email_input(e, NOW_MS + self.tick) for e in emails]}
        resp = self.client.post(email_path(object_id), json=body, headers=auth(token))
        if self.owner[object_id][0] == portal:  # any app of the owning portal may use objectId endpoints
            assert resp.status_code == 200, resp.text
            self.subscribers[object_id].update(e.lower() for e in emails)
        else:
            assert resp.status_code == 404, resp.text
            assert self.snapshot_all() == before, "a 404 email-create changed state"
        self.check_others_untouched(token, before)

    @rule(token=token_st, object_id=object_ids)
    def get_by_object_id(self, token: str, object_id: str) -> None:
        before = self.snapshot_all()
        resp = self.client.get(f"{BASE}/{object_id}", headers=auth(token))
        if self.owner[object_id][0] == TOKENS[token][0]:
            assert resp.status_code == 200, resp.text
            assert resp.json()["objectId"] == object_id
        else:
            assert resp.status_code == 404, resp.text
        assert self.snapshot_all() == before

    @rule(token=token_st, ext=st.sampled_from(EXT_IDS), account=st.sampled_from(ACCOUNTS))
    def get_by_external_ids(self, token: str, ext: str, account: str) -> None:
        portal, app = TOKENS[token]
        before = self.snapshot_all()
        resp = self.client.get(f"{BASE}/events/{ext}", params={"externalAccountId": account}, headers=auth(token))
        expected = self.by_key.get((portal, app, account, ext))
        if expected is None:  # another app's or portal's event with these ids is invisible
            assert resp.status_code == 404, resp.text
        else:
            assert resp.status_code == 200, resp.text
            assert resp.json()["objectId"] == expected
        assert self.snapshot_all() == before

    # ----------------------------------------------------------- invariants
    @invariant()
    def state_matches_model(self) -> None:
        dump = dump_state(self.app.state.backend)["portals"]
        assert set(dump) == {"1", "2"}
        for portal in (1, 2):
            state = dump[str(portal)]
            email_by_vid = {c["vid"]: c["email"] for c in state["contacts"]}
            assert len({e.lower() for e in email_by_vid.values()}) == len(email_by_vid)
            found = {
                (portal, e["appId"], e["externalAccountId"], e["externalEventId"]): e["objectId"] for e in state["events"]
            }
            assert found == {k: v for k, v in self.by_key.items() if k[0] == portal}
            for e in state["events"]:
                assert {email_by_vid[s["vid"]] for s in e["subscribers"]} == self.subscribers.get(e["objectId"], set())

    def teardown(self) -> None:
        assert_no_token_in_journal(self.app, list(TOKENS))
        self.client.close()


IsolationMachine.TestCase.settings = hsettings(
    max_examples=50, stateful_step_count=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestIsolation = IsolationMachine.TestCase


def test_cross_tenant_access_explicitly() -> None:
    """The isolation rules once, deterministically (the machine may not hit each case in every run)."""
    app = create_app(Settings(), seed=SEED, clock=FakeClock())
    client = TestClient(app)
    resp = client.post(UPSERT_EVENTS, json={"inputs": [event_input("e1", "App 1's")]}, headers=auth(TOK_A1))
    (a1_event,) = resp.json()["results"]
    oid = a1_event["objectId"]
    portal1 = copy.deepcopy(dump_state(app.state.backend)["portals"]["1"])

    # Portal 2 cannot read or write portal 1's event.
    assert client.get(f"{BASE}/{oid}", headers=auth(TOK_B1)).status_code == 404
    resp = client.post(email_path(oid), json={"inputs": [email_input("eve@x.com", NOW_MS)]}, headers=auth(TOK_B1))
    assert resp.status_code == 404
    assert client.get(f"{BASE}/events/e1", params={"externalAccountId": "acct-1"}, headers=auth(TOK_B1)).status_code == 404
    assert dump_state(app.state.backend)["portals"]["1"] == portal1

    # App 2 of portal 1 cannot see app 1's event through external ids ...
    assert client.get(f"{BASE}/events/e1", params={"externalAccountId": "acct-1"}, headers=auth(TOK_A2)).status_code == 404
    # ... and an upsert with the same external ids makes its own event, leaving app 1's untouched.
    resp = client.post(UPSERT_EVENTS, json={"inputs": [event_input("e1", "App 2's")]}, headers=auth(TOK_A2))
    assert resp.status_code == 200
    assert resp.json()["results"][0]["objectId"] != oid
    app1_events = [e for e in dump_state(app.state.backend)["portals"]["1"]["events"] if e["appId"] == 1]
    assert app1_events == portal1["events"]
    # ... but it CAN use objectId endpoints of app 1's event in the same portal.
    assert client.get(f"{BASE}/{oid}", headers=auth(TOK_A2)).status_code == 200
    resp = client.post(email_path(oid), json={"inputs": [email_input("Ada@x.com", NOW_MS)]}, headers=auth(TOK_A2))
    assert resp.status_code == 200, resp.text

    # Tokens refused at the door are not journaled either.
    assert client.get(f"{BASE}/{oid}", headers={"Authorization": f"Bearer Bearer {TOK_A1}"}).status_code == 401
    assert_no_token_in_journal(app, [*TOKENS, f"Bearer {TOK_A1}"])
