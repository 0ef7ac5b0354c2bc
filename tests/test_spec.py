"""The spec is the single source of routes and request validation: prove the pieces cannot drift."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.backend import subscriber_state
from mock_server.exceptions import ValidationError
from mock_server.responses import HANDLERS
from mock_server.settings import PROFILES
from mock_server.spec import base_document, document_for, operations
from mock_server.urls import api_routes
from mock_server.versions import VERSIONS


def all_versions() -> dict[str, dict]:
    return {name: document_for(Settings(), version) for name, version in VERSIONS.items()}


SPEC_YAML = Path(__file__).resolve().parent.parent / "openapi" / "marketing-events.yaml"


def test_no_mapping_in_the_spec_yaml_repeats_a_key():
    """YAML keeps the last of two equal keys without a word: a schema that names `results` twice silently
    serves the second."""
    repeated = []

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
            seen: set = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    repeated.append(f"{key} (line {key_node.start_mark.line + 1})")
                seen.add(key)
            return super().construct_mapping(node, deep)

    yaml.load(SPEC_YAML.read_text(), Loader=Loader)
    assert repeated == []


def test_every_spec_operation_has_a_handler_and_back():
    assert {op.operation_id for doc in all_versions().values() for op in operations(doc)} == set(HANDLERS)


def test_a_handler_missing_from_the_spec_stops_the_app(monkeypatch):
    monkeypatch.setitem(HANDLERS, "notInTheSpec", lambda call: None)
    with pytest.raises(RuntimeError, match="notInTheSpec"):
        api_routes(all_versions(), None)


def test_every_operation_declares_scope_auth_failure_and_json_answers():
    for path, item in base_document()["paths"].items():
        if path.startswith("/__mock/"):
            continue
        for method, op in item.items():
            if method.startswith("x-"):
                continue
            if op.get("x-auth") == "developer_hapikey":  # app settings: the developer key, no scope
                assert "hapikey" in {p.get("$ref", "").rpartition("/")[2] for p in op["parameters"]}, path
            else:
                assert op["x-required-scope"].startswith(("crm.objects.marketing_events.", "crm.objects.contacts.")), path
            assert "401" in op["responses"], path
            assert any(code.startswith("2") for code in op["responses"]), path


def test_live_profile_values_are_the_settings_defaults():
    defaults = Settings()
    assert {name: getattr(defaults, name) for name in PROFILES["live"]} == PROFILES["live"]
    assert set(PROFILES["live"]) == set(PROFILES["spec"])
    assert Settings.for_profile("spec").differences_from_profile() == {}


def _operation(doc, operation_id):
    return next(op for op in operations(doc) if op.operation_id == operation_id)


@pytest.mark.parametrize("profile, required", [("live", True), ("spec", False)])
def test_external_account_id_on_create_follows_the_profile(profile, required):
    create = _operation(document_for(Settings.for_profile(profile)), "recordByContactIds")
    assert next(p for p in create.parameters if p.name == "externalAccountId").required is required


@pytest.mark.parametrize("profile, accepts", [("live", True), ("spec", False)])
def test_property_maps_and_iso_timestamps_follow_the_profile(profile, accepts):
    by_email = _operation(document_for(Settings.for_profile(profile)), "recordByEmail")
    bare = {"inputs": [{"email": "a@b.com", "interactionDateTime": 1767225600000}]}
    iso = {"inputs": [{"email": "a@b.com", "interactionDateTime": "2026-11-23T19:18:15.472Z", "properties": {}, "contactProperties": {}}]}
    for body in (bare, iso):
        if accepts:
            by_email.validate_body(body)
        else:
            with pytest.raises(ValidationError):
                by_email.validate_body(body)


def test_served_spec_is_the_profile_document():
    settings = Settings.for_profile("spec")
    served = TestClient(create_app(settings), base_url="http://localhost").get("/openapi.json").json()
    assert served == document_for(settings)


def test_unknown_state_message_is_the_same_in_spec_and_backend():
    param = base_document()["components"]["parameters"]["subscriberState"]
    with pytest.raises(ValidationError) as raised:
        subscriber_state("ATTEND")
    assert raised.value.message == param["x-invalid-message"].format(value="ATTEND")


def test_every_setting_reads_from_the_environment():
    env = {"HUBSPOT_MOCK_PROFILE": "spec", "HUBSPOT_MOCK_MIXED_BATCH_STATUS": "207",
           "HUBSPOT_MOCK_READ_LAG_SECONDS": "1.5", "HUBSPOT_MOCK_ACCEPT_ANY_TOKEN": "false",
           "HUBSPOT_MOCK_MAX_BATCH_INPUTS": "100", "HUBSPOT_MOCK_ISO_INTERACTION_DATETIME": "drop"}
    s = Settings.from_env(env)
    assert (s.profile, s.mixed_batch_status, s.read_lag_seconds, s.accept_any_token, s.max_batch_inputs,
            s.iso_interaction_datetime) == ("spec", 207, 1.5, False, 100, "drop")
    assert s.record_by_contact_ids_status == 200  # the rest still from the spec profile
    with pytest.raises(ValueError):
        Settings.from_env({"HUBSPOT_MOCK_ISO_INTERACTION_DATETIME": "maybe"})
    assert {f.name for f in dataclasses.fields(Settings)} >= set(PROFILES["live"])


@pytest.mark.parametrize("reject, accepted", [(True, False), (False, True)])
def test_unknown_fields_follow_the_setting(reject, accepted):
    upsert = _operation(document_for(Settings(reject_unknown_fields=reject)), "upsertEvents")
    body = {"inputs": [{"externalAccountId": "a", "externalEventId": "e", "eventName": "n", "eventOrganizer": "o", "extra": 1}]}
    if accepted:
        upsert.validate_body(body)
    else:
        with pytest.raises(ValidationError, match="extra"):
            upsert.validate_body(body)


def test_spec_profile_document_requires_the_full_item_error():
    for profile, required in (("live", False), ("spec", True)):
        error = document_for(Settings.for_profile(profile))["components"]["schemas"]["StandardError"]
        assert ({"context", "errors", "links"} <= set(error["required"])) is required


def test_the_admin_api_in_the_spec_is_the_one_served():
    from starlette.routing import Route

    from mock_server.routing import OperationTree

    app = create_app(Settings())
    documented = {(m.upper(), p) for p, item in app.state.openapi_admin["paths"].items() for m in item}
    trees = [r for r in app.routes if isinstance(r, OperationTree)]
    served = {(m, p) for tree in trees for m, p in tree.templates if p.startswith("/__mock/") and m != "HEAD"}
    pages = {(m, r.path) for r in app.routes if isinstance(r, Route) and r.path.startswith("/__mock/") for m in r.methods - {"HEAD"}}
    assert trees and pages  # the operations in a tree, the inspector's page and assets as plain routes
    served |= pages
    assert documented == served


def test_the_spec_uses_no_yaml_merge_keys():
    """`<<:` merges are YAML 1.1 only: Prism and other OpenAPI tools read them as a property named "<<"."""
    from importlib import resources

    import yaml

    from mock_server.spec import SPEC_FILE

    text = resources.files("mock_server.openapi").joinpath(SPEC_FILE).read_text(encoding="utf-8")
    assert "<<:" not in text

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert "<<" not in set(keys(yaml.safe_load(text)))


def test_the_parsed_spec_is_cached_by_digest_and_a_bad_cache_is_only_a_reparse(tmp_path, monkeypatch):
    import mock_server.spec as spec

    reference = base_document()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    try:
        spec.base_document.cache_clear()
        assert spec.base_document() == reference
        (cached,) = (tmp_path / "hubspot-mock").glob("spec-*.json")
        cached.write_bytes(b"{not json")  # corrupt: parsed anew, and written again
        spec.base_document.cache_clear()
        assert spec.base_document() == reference and cached.read_bytes().startswith(b"{")
        monkeypatch.setenv("XDG_CACHE_HOME", str(cached))  # a file where the directory should be: unwritable
        spec.base_document.cache_clear()
        assert spec.base_document() == reference
    finally:
        spec.base_document.cache_clear()
