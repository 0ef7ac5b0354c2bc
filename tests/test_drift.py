"""Drift between HubSpot's published spec (pinned in contracts/hubspot_spec/) and ours, per profile.

Every difference must be allow-listed with a reason; every allow-list entry must still match something; and the
checker itself is shown to catch drift on a doctored copy of our document.
"""

from __future__ import annotations

import copy
import hashlib
import re

import pytest

from contracts import drift


@pytest.fixture(scope="module")
def hubspot():
    return drift.load_hubspot()


@pytest.fixture(scope="module")
def allowlist():
    return drift.load_allowlist()


def _keys(hubspot, ours):
    return {d.key for d in drift.compare(hubspot, ours)}


# ---------------------------------------------------------------------------------------------- the pinned copy
def test_pinned_copy_is_the_one_provenance_describes():
    provenance = (drift.HUBSPOT_SPEC.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    size = re.search(r"\| Size \| (\d+) bytes \|", provenance)
    sha = re.search(r"\| SHA-256 \| `([0-9a-f]{64})` \|", provenance)
    assert size and sha, "PROVENANCE.md must state the copy's size and SHA-256"
    data = drift.HUBSPOT_SPEC.read_bytes()
    assert len(data) == int(size.group(1)), "marketingEvents.v3.json was edited: its size differs from PROVENANCE.md"
    assert hashlib.sha256(data).hexdigest() == sha.group(1), "marketingEvents.v3.json was edited: its SHA-256 differs"


def test_the_check_reads_nothing_outside_the_project():
    project = drift.HERE.parent
    assert drift.HUBSPOT_SPEC.is_relative_to(project) and drift.ALLOWLIST.is_relative_to(project)


# ---------------------------------------------------------------------------------------------- the allow-list
def test_every_allowlist_entry_has_a_reason_and_known_profiles(allowlist):
    assert allowlist, "the allow-list is empty"
    for entry in allowlist:
        assert entry.reason and "\n" not in entry.reason, f"entry needs a one-line reason: {entry.key}"
        assert set(entry.profiles) <= set(drift.PROFILES), f"unknown profile in {entry.profiles}: {entry.key}"
    keys = [e.key for e in allowlist]
    assert len(keys) == len(set(keys)), "duplicate allow-list keys"


@pytest.mark.parametrize("profile", drift.PROFILES)
def test_every_difference_is_allowlisted(profile, hubspot, allowlist):
    report = drift.check(profile, hubspot=hubspot, allowlist=allowlist)
    assert report.differences, "no differences at all: is the comparison running?"
    assert not report.unexplained, "\n" + drift.describe(
        report.unexplained, f"{len(report.unexplained)} difference(s) from HubSpot's spec not explained "
        f"in {drift.ALLOWLIST.name} (profile {profile}):")


@pytest.mark.parametrize("profile", drift.PROFILES)
def test_no_allowlist_entry_is_stale(profile, hubspot, allowlist):
    report = drift.check(profile, hubspot=hubspot, allowlist=allowlist)
    assert not report.stale, f"allow-list entries matching no difference in profile {profile}:\n" + "\n".join(
        f"  {e.key}" for e in report.stale)


# ---------------------------------------------------------------------------------------------- the checker
@pytest.fixture
def ours():
    """Our spec profile's document (the one closest to HubSpot's) and its differences before any change."""
    document = copy.deepcopy(drift.our_document("spec"))
    return document, _keys(drift.load_hubspot(), document)


def _new_differences(hubspot, ours_and_before, change):
    document, before = ours_and_before
    change(document["components"]["schemas"])
    after = _keys(hubspot, document)
    assert before <= after, f"differences vanished: {before - after}"
    return after - before


def test_catches_a_removed_request_field(hubspot, ours):
    new = _new_differences(hubspot, ours, lambda s: s["MarketingEventSubscriber"]["properties"].pop("vid"))
    assert new == {  # the schema is shared by endpoints 1 and 4; the object forbids unknown fields
        "recordByContactIds: request inputs[].vid missing: hubspot=integer ours=absent",
        "upsertByContactId: request inputs[].vid missing: hubspot=integer ours=absent",
    }


def test_catches_a_changed_request_type(hubspot, ours):
    def change(schemas):
        schemas["MarketingEventSubscriber"]["properties"]["vid"] = {"type": "string"}

    assert _new_differences(hubspot, ours, change) == {
        "recordByContactIds: request inputs[].vid type: hubspot=integer ours=string",
        "upsertByContactId: request inputs[].vid type: hubspot=integer ours=string",
    }


def test_catches_a_response_field_made_optional(hubspot, ours):
    def change(schemas):
        schemas["MarketingEventPublicDefaultResponse"]["required"].remove("eventName")

    assert _new_differences(hubspot, ours, change) == {
        "upsertEvents: response 200 results[] required: hubspot=[createdAt, customProperties, eventName, "
        "eventOrganizer, id, updatedAt] ours=[createdAt, customProperties, eventOrganizer, id, updatedAt]"
    }


def test_catches_a_nested_response_type_change(hubspot, ours):
    def change(schemas):
        schemas["ParticipationBreakdown"]["properties"]["properties"]["properties"]["occurredAt"] = {"type": "string"}

    assert _new_differences(hubspot, ours, change) == {
        f"{op}: response 200 results[].properties.occurredAt type: hubspot=integer ours=string"
        for op in ("getParticipationsBreakdownByExternalEventId", "getParticipationsBreakdownByMarketingEventId")
    }


def test_catches_a_parameter_made_optional_and_a_missing_operation(hubspot, ours):
    document, before = ours
    upsert = document["paths"]["/marketing/v3/marketing-events/events/{externalEventId}/{subscriberState}/upsert"]
    upsert["post"]["parameters"][2]["required"] = False
    del document["paths"]["/marketing/v3/marketing-events/events/upsert"]
    assert _keys(hubspot, document) - before == {
        "upsertByContactId: parameter query externalAccountId required: hubspot=True ours=False",
        "upsert: operation POST /marketing/v3/marketing-events/events/upsert exists: hubspot=True ours=False",
    }


def test_unexplained_differences_are_listed_one_per_line_with_both_sides(hubspot, ours):
    document, _ = ours
    document["components"]["schemas"]["SubscriberVidResponse"]["properties"]["vid"] = {"type": "string"}
    report = drift.check("spec", hubspot=hubspot, ours=document)
    assert not report.ok
    text = report.text()
    assert "recordByContactIds: response 200 results[].vid type" in text
    assert "hubspot: integer" in text and "ours:    string" in text


def test_stale_and_profile_limited_entries(hubspot, allowlist):
    live_only = next(e for e in allowlist if e.profiles == ("live",))
    ghost = drift.AllowEntry("upsertEvents: request inputs[].eventName type: hubspot=string ours=integer", "made up")
    everywhere = drift.AllowEntry(live_only.key, live_only.reason)  # the same key, not limited to live
    report = drift.check("spec", hubspot=hubspot, allowlist=[*allowlist, ghost])
    assert report.stale == [ghost] and not report.unexplained
    assert drift.check("spec", hubspot=hubspot, allowlist=[everywhere]).stale == [everywhere]
    assert everywhere.key in {d.key for d in drift.check("live", hubspot=hubspot, allowlist=[]).unexplained}
