"""Drift between HubSpot's published specs (pinned in contracts/hubspot_spec/) and the documents the mock serves,
per API version and profile.

Every difference must be allow-listed with a reason; every allow-list entry must still match something in each
version and profile it names; every one of HubSpot's Marketing Events operations is served in every version; and
the checker itself is shown to catch drift on doctored copies of our documents.
"""

from __future__ import annotations

import copy
import hashlib
import re

import pytest

from contracts import drift

CASES = [(v, p) for v in drift.VERSIONS for p in drift.PROFILES]
V3_BASE = "/marketing/v3/marketing-events"


@pytest.fixture(scope="module")
def hubspot():
    return drift.load_hubspot("v3")


@pytest.fixture(scope="module")
def allowlist():
    return drift.load_allowlist()


def _keys(hubspot, ours, **where):
    return {d.key for d in drift.compare(hubspot, ours, **where)}


# ---------------------------------------------------------------------------------------------- the pinned copies
def _provenance_rows():
    text = (drift.SPEC_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+\.json)` \| .* \| (\d+) \| `([0-9a-f]{64})` \|$", text, re.MULTILINE)
    return {name: (int(size), sha) for name, size, sha in rows}


def test_every_pinned_copy_is_the_one_provenance_describes():
    rows = _provenance_rows()
    on_disk = {p.name for p in drift.SPEC_DIR.glob("*.json")}
    assert on_disk == set(rows), f"PROVENANCE.md must list exactly the files in hubspot_spec/: {on_disk ^ set(rows)}"
    for name, (size, sha) in rows.items():
        data = (drift.SPEC_DIR / name).read_bytes()
        assert len(data) == size, f"{name} was edited: its size differs from PROVENANCE.md"
        assert hashlib.sha256(data).hexdigest() == sha, f"{name} was edited: its SHA-256 differs from PROVENANCE.md"


def test_the_check_reads_nothing_outside_the_project():
    project = drift.HERE.parent
    assert drift.PINNED_FILES and all(p.is_relative_to(project) and p.exists() for p in drift.PINNED_FILES)
    assert {p.name for p in drift.PINNED_FILES} == set(_provenance_rows())
    assert drift.ALLOWLIST.is_relative_to(project)


@pytest.mark.parametrize("version", drift.VERSIONS)
def test_each_pinned_spec_is_the_version_it_is_filed_as(version):
    for family in drift.FAMILIES:
        if version in family.files:
            document = drift.load_hubspot(version, family.name)
            assert document["info"]["version"] == version, (family.name, version)


# ---------------------------------------------------------------------------------------------- the allow-list
def test_every_allowlist_entry_has_a_reason_and_known_versions_and_profiles(allowlist):
    assert allowlist, "the allow-list is empty"
    for entry in allowlist:
        assert entry.keys, "an entry without a key"
        assert entry.reason and "\n" not in entry.reason, f"entry needs a one-line reason: {entry.keys[0]}"
        assert set(entry.profiles) <= set(drift.PROFILES), f"unknown profile in {entry.profiles}: {entry.keys[0]}"
        assert set(entry.versions) <= set(drift.VERSIONS), f"unknown version in {entry.versions}: {entry.keys[0]}"
    keys = [k for e in allowlist for k in e.keys]
    assert len(keys) == len(set(keys)), "a key is allow-listed twice"


@pytest.mark.parametrize(("version", "profile"), CASES)
def test_every_difference_is_allowlisted(version, profile, allowlist):
    report = drift.check(profile, version, allowlist=allowlist)
    assert report.differences, "no differences at all: is the comparison running?"
    assert not report.unexplained, "\n" + drift.describe(
        report.unexplained, f"{len(report.unexplained)} difference(s) from HubSpot's spec not explained "
        f"in {drift.ALLOWLIST.name} ({report.title}):")


@pytest.mark.parametrize(("version", "profile"), CASES)
def test_no_allowlist_entry_is_stale(version, profile, allowlist):
    report = drift.check(profile, version, allowlist=allowlist)
    assert not report.stale, f"allow-list keys matching no difference in {report.title}:\n" + "\n".join(
        f"  {key}" for key in report.stale)


def test_the_wrong_int32_vid_of_the_dated_specs_is_allowlisted_as_such_and_not_followed(allowlist):
    """2025-09 and 2026-09 declare vid int32; real vids exceed 2^31: each document the mock serves keeps int64."""
    entries = [e for e in allowlist if any("vid format: hubspot=int32 ours=int64" in k for k in e.keys)]
    assert entries and all(set(e.versions) == {"2025-09", "2026-09"} and "2^31" in e.reason for e in entries)
    for version in drift.VERSIONS:
        schemas = drift.our_document("live", version)["components"]["schemas"]
        assert schemas["MarketingEventSubscriber"]["properties"]["vid"]["format"] == "int64", version
        assert schemas["SubscriberVidResponse"]["properties"]["vid"]["format"] == "int64", version


# ---------------------------------------------------------------------------------------------- the whole surface
@pytest.mark.parametrize("version", drift.VERSIONS)
def test_every_hubspot_operation_is_served_in_every_version(version):
    hubspot = drift.load_hubspot(version)
    ours = drift.our_document("live", version)
    theirs = set(drift.operations_of(hubspot))
    assert len(theirs) == 36
    assert theirs <= set(drift.operations_of(ours)), sorted(theirs - set(drift.operations_of(ours)))
    assert not [d for d in drift.differences("live", version, ours) if d.where.startswith("operation ") and d.hubspot == "True"]


def test_the_spec_path_of_list_all_and_the_path_clients_call_are_both_compared(hubspot):
    keys = _keys(hubspot, drift.our_document("spec"))
    assert f"getAllEvents: operation GET {V3_BASE} exists: hubspot=False ours=True" in keys
    assert not [k for k in keys if k.startswith("getAllEventsAtSpecPath:")]  # matched, and no difference


@pytest.mark.parametrize("pinned", drift.PINNED_FILES, ids=lambda p: p.name)
def test_a_spec_compared_with_itself_has_no_difference(pinned):
    family = next(f for f in drift.FAMILIES if pinned.name in f.files.values())
    version = next(v for v, name in family.files.items() if name == pinned.name)
    document = drift.load_hubspot(version, family.name)
    assert drift.compare(document, copy.deepcopy(document), family.name, version) == []


def test_contacts_are_compared_on_the_operations_the_mock_serves_only():
    hubspot = drift.load_hubspot("v3", drift.CONTACTS)
    served = copy.deepcopy(hubspot)
    served["paths"] = {"/crm/v3/objects/contacts/search": served["paths"]["/crm/v3/objects/contacts/search"]}
    assert drift.compare(hubspot, served, drift.CONTACTS, "v3") == []
    served["paths"]["/crm/v3/objects/contacts/search"]["post"]["security"] = [{"oauth2": ["crm.objects.contacts.write"]}]
    assert {d.kind for d in drift.compare(hubspot, served, drift.CONTACTS, "v3")} == {"scopes"}


def test_the_command_prints_one_version_and_profile(capsys):
    assert drift.main(["--profile", "live", "--version", "2026-03"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("version 2026-03, profile live: ") and "0 unexplained, 0 stale" in out
    assert "profile spec" not in out and "version v3" not in out


# ---------------------------------------------------------------------------------------------- the checker
@pytest.fixture
def ours():
    """Our spec profile's v3 document (the one closest to HubSpot's) and its differences before any change."""
    document = copy.deepcopy(drift.our_document("spec"))
    return document, _keys(drift.load_hubspot(), document)


def _new_differences(hubspot, ours_and_before, change):
    document, before = ours_and_before
    change(document)
    after = _keys(hubspot, document)
    assert before <= after, f"differences vanished: {before - after}"
    return after - before


def _schemas(document):
    return document["components"]["schemas"]


def test_catches_a_removed_request_field(hubspot, ours):
    new = _new_differences(hubspot, ours, lambda d: _schemas(d)["MarketingEventSubscriber"]["properties"].pop("vid"))
    assert new == {  # the schema is shared by every attendance-by-vid operation; the object forbids unknown fields
        f"{op}: request inputs[].vid missing: hubspot=integer ours=absent"
        for op in ("recordByContactIds", "recordByContactId", "upsertByContactId")
    }


def test_catches_a_changed_request_type(hubspot, ours):
    def change(document):
        _schemas(document)["MarketingEventSubscriber"]["properties"]["vid"] = {"type": "string"}

    assert _new_differences(hubspot, ours, change) == {
        f"{op}: request inputs[].vid type: hubspot=integer ours=string"
        for op in ("recordByContactIds", "recordByContactId", "upsertByContactId")
    }


def test_catches_a_narrowed_integer_format(hubspot, ours):
    def change(document):
        _schemas(document)["SubscriberVidResponse"]["properties"]["vid"]["format"] = "int32"

    assert _new_differences(hubspot, ours, change) == {
        f"{op}: response 200 results[].vid format: hubspot=int64 ours=int32"
        for op in ("recordByContactIds", "recordByContactId")
    }


def test_catches_a_response_field_made_optional(hubspot, ours):
    def change(document):
        _schemas(document)["MarketingEventPublicDefaultResponse"]["required"].remove("eventName")

    assert _new_differences(hubspot, ours, change) == {
        f"{op}: {where} required: hubspot=[createdAt, customProperties, eventName, eventOrganizer, id, updatedAt] "
        "ours=[createdAt, customProperties, eventOrganizer, id, updatedAt]"
        for op, where in (("upsertEvents", "response 200 results[]"), ("upsertEvent", "response 200"), ("updateEvent", "response 200"))
    }


def test_catches_a_nested_response_type_change(hubspot, ours):
    def change(document):
        _schemas(document)["ParticipationBreakdown"]["properties"]["properties"]["properties"]["occurredAt"] = {"type": "string"}

    assert _new_differences(hubspot, ours, change) == {
        f"{op}: response 200 results[].properties.occurredAt type: hubspot=integer ours=string"
        for op in ("getParticipationsBreakdownByExternalEventId", "getParticipationsBreakdownByMarketingEventId",
                   "getParticipationsBreakdownByContactId")
    }


def test_catches_a_parameter_made_optional_and_missing_and_extra_operations(hubspot, ours):
    document, before = ours
    paths = document["paths"]
    paths[f"{V3_BASE}/events/{{externalEventId}}/{{subscriberState}}/upsert"]["post"]["parameters"][2]["required"] = False
    del paths[f"{V3_BASE}/events/upsert"]
    paths[f"{V3_BASE}/events/merge"] = {"post": {"operationId": "mergeEvents", "responses": {}}}
    after = _keys(hubspot, document)
    assert {k for k in before - after if not k.startswith("upsertEvents: ")} == set()  # the deleted operation's own
    assert after - before == {
        "upsertByContactId: parameter query externalAccountId required: hubspot=True ours=False",
        f"upsert: operation POST {V3_BASE}/events/upsert exists: hubspot=True ours=False",
        f"mergeEvents: operation POST {V3_BASE}/events/merge exists: hubspot=False ours=True",
    }


def test_catches_a_changed_scope_and_credentials(hubspot, ours):
    def change(document):
        document["paths"][f"{V3_BASE}/events/search"]["get"]["x-required-scope"] = "crm.objects.marketing_events.write"
        document["paths"][f"{V3_BASE}/{{objectId}}"]["get"]["security"] = [{"developerHapikey": []}]

    assert _new_differences(hubspot, ours, change) == {
        "searchEvents: auth scopes: hubspot=[crm.objects.marketing_events.read] ours=[crm.objects.marketing_events.write]",
        "getByObjectId: auth credentials: hubspot=[bearer] ours=[hapikey]",
    }


def test_unexplained_differences_are_listed_one_per_line_with_both_sides(ours):
    document, _ = ours
    _schemas(document)["SubscriberVidResponse"]["properties"]["vid"] = {"type": "string"}
    report = drift.check("spec", "v3", ours=document)
    assert not report.ok
    text = report.text()
    assert text.startswith("version v3, profile spec: ")
    assert "recordByContactIds: response 200 results[].vid type" in text
    assert "hubspot: integer" in text and "ours:    string" in text


def test_stale_and_version_or_profile_limited_entries(allowlist):
    live_only = next(e for e in allowlist if e.profiles == ("live",) and not e.versions)
    dated_only = next(e for e in allowlist if set(e.versions) == {"2025-09", "2026-09"})
    ghost = drift.AllowEntry(("upsertEvents: request inputs[].eventName type: hubspot=string ours=integer",), "made up")
    report = drift.check("spec", "v3", allowlist=[*allowlist, ghost])
    assert report.stale == list(ghost.keys) and not report.unexplained
    # The same keys without their limits: stale where the difference is not, unexplained nowhere else.
    everywhere = drift.AllowEntry(live_only.keys, live_only.reason)
    assert drift.check("spec", "v3", allowlist=[everywhere]).stale == sorted(everywhere.keys)
    assert set(everywhere.keys) <= {d.key for d in drift.check("live", "v3", allowlist=[]).unexplained}
    in_v3_too = drift.AllowEntry(dated_only.keys, dated_only.reason, versions=("v3", *dated_only.versions))
    assert drift.check("live", "v3", allowlist=[in_v3_too]).stale == sorted(in_v3_too.keys)
    assert not drift.check("live", "2026-09", allowlist=[in_v3_too]).stale
