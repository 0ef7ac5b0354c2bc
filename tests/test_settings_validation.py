"""Settings check themselves: one check, from each field's metadata, whatever the values came from (code, the
environment, `--set`, the pytest plugin), with a message naming the setting, its source and what it takes."""

from __future__ import annotations

import dataclasses
import math

import pytest

from mock_server.settings import (
    PROFILES,
    Settings,
    SettingError,
    UnknownSettingError,
    accepted,
    parse_setting,
    setting_fields,
    type_name,
    unknown_environment_variables,
)


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("port", -1, "an integer from 0 to 65535"),
        ("port", 65536, "an integer from 0 to 65535"),
        ("port", "8090", "an integer from 0 to 65535"),
        ("port", True, "an integer from 0 to 65535"),
        ("mixed_batch_status", 404, "200 or 207"),
        ("record_by_contact_ids_status", 207, "200 or 201"),
        ("upsert_by_contact_id_status", 201, "200 or 204"),
        ("max_batch_inputs", 0, "an integer >= 1 or unset"),
        ("max_body_bytes", 0, "an integer >= 1"),
        ("journal_size", -3, "an integer >= 1"),
        ("max_header_bytes", 0, "an integer >= 1"),
        ("max_connections", 0, "an integer >= 1"),
        ("header_timeout_seconds", 0, "a number >= 0.1"),
        ("shutdown_grace_seconds", -1, "a number >= 0"),
        ("read_lag_seconds", math.nan, "a number >= 0"),
        ("read_lag_seconds", math.inf, "a number >= 0"),
        ("accept_any_token", "false", "true or false"),
        ("access_log", 1, "true or false"),
        ("profile", "observed", "live or spec"),
        ("rate_limit_tier", "gold", "one of free, starter, professional, enterprise"),
        ("log_level", "loud", "one of critical, error, warning, info, debug"),
        ("host", "", "a non-empty string"),
        ("admin_token", "", "a non-empty string or unset"),
        ("seed_path", 3, "a non-empty string or unset"),
    ],
)
def test_a_value_a_setting_does_not_take_is_refused_naming_the_setting_and_what_it_takes(name, value, expected):
    with pytest.raises(SettingError) as raised:
        Settings(**{name: value})
    assert (raised.value.name, raised.value.expected) == (name, expected)
    assert str(raised.value) == f"{name} must be {expected}, got {value!r}"


@pytest.mark.parametrize(
    "values",
    [
        {"port": 0}, {"port": 65535}, {"mixed_batch_status": 207}, {"record_by_contact_ids_status": 200},
        {"upsert_by_contact_id_status": 200}, {"max_batch_inputs": None}, {"max_batch_inputs": 1},
        {"read_lag_seconds": 2}, {"shutdown_grace_seconds": 0}, {"admin_token": "secret"}, {"seconds_threshold": 0},
    ],
)
def test_values_at_the_edges_are_taken(values):
    settings = Settings(**values)
    assert {k: getattr(settings, k) for k in values} == values


def test_every_profile_and_every_default_passes_its_own_check():
    for profile in PROFILES:
        Settings.for_profile(profile)
    assert Settings() == Settings.for_profile("live")


def test_a_copy_with_changes_is_checked_too():
    with pytest.raises(SettingError, match="mixed_batch_status must be 200 or 207"):
        dataclasses.replace(Settings(), mixed_batch_status=500)


def test_an_unknown_name_in_code_suggests_the_closest():
    with pytest.raises(UnknownSettingError) as raised:
        Settings.for_profile("live", mixed_batch=207)
    assert raised.value.suggestion == "mixed_batch_status"
    assert "there is no setting 'mixed_batch'; did you mean mixed_batch_status?" in str(raised.value)


# ---------------------------------------------------------------------------------------------- the environment
def test_a_bad_environment_value_names_its_variable():
    with pytest.raises(SettingError) as raised:
        Settings.from_env({"HUBSPOT_MOCK_MIXED_BATCH_STATUS": "404"})
    assert str(raised.value) == "HUBSPOT_MOCK_MIXED_BATCH_STATUS=404: mixed_batch_status must be 200 or 207, got 404"
    with pytest.raises(SettingError, match=r"^HUBSPOT_MOCK_PORT=http: port must be an integer from 0 to 65535, got 'http'$"):
        Settings.from_env({"HUBSPOT_MOCK_PORT": "http"})
    with pytest.raises(SettingError, match=r"^HUBSPOT_MOCK_PROFILE=observed: profile must be live or spec"):
        Settings.from_env({"HUBSPOT_MOCK_PROFILE": "observed"})


def test_an_override_wins_over_a_bad_environment_value_and_its_own_mistake_has_no_variable():
    assert Settings.from_env({"HUBSPOT_MOCK_MIXED_BATCH_STATUS": "404"}, mixed_batch_status=207).mixed_batch_status == 207
    with pytest.raises(SettingError) as raised:
        Settings.from_env({}, mixed_batch_status=404)
    assert raised.value.source is None


def test_an_override_unsets_an_optional_setting_the_environment_set():
    assert Settings.from_env({"HUBSPOT_MOCK_MAX_BATCH_INPUTS": "100"}, max_batch_inputs=None).max_batch_inputs is None


def test_unknown_variables_are_warned_about_with_the_closest_real_name():
    warnings = unknown_environment_variables(
        {"HUBSPOT_MOCK_PROFLE": "spec", "HUBSPOT_MOCK_PORT": "1", "HUBSPOT_MOCK_XYZZY": "1", "PATH": "/bin"}
    )
    assert warnings == [
        "HUBSPOT_MOCK_PROFLE is not a setting and is ignored; did you mean HUBSPOT_MOCK_PROFILE?",
        "HUBSPOT_MOCK_XYZZY is not a setting and is ignored (`hubspot-mock settings` lists them all)",
    ]


# ---------------------------------------------------------------------------------------------- text
@pytest.mark.parametrize(
    "name, raw, value",
    [
        ("accept_any_token", "false", False), ("accept_any_token", "Yes", True), ("accept_any_token", "0", False),
        ("port", " 8091 ", 8091), ("read_lag_seconds", "1.5", 1.5), ("max_batch_inputs", "", None),
        ("admin_token", "", None), ("profile", "spec", "spec"), ("not_found_category", "GONE", "GONE"),
    ],
)
def test_text_becomes_the_setting_s_type(name, raw, value):
    assert parse_setting(name, raw) == value


@pytest.mark.parametrize(
    "name, raw",
    [("accept_any_token", "nope"), ("port", "80.5"), ("port", ""), ("read_lag_seconds", "soon"), ("mixed_batch_status", "abc")],
)
def test_text_that_is_not_of_the_type_names_the_setting(name, raw):
    with pytest.raises(SettingError) as raised:
        parse_setting(name, raw)
    assert raised.value.name == name and raised.value.expected == accepted(name)


def test_text_for_an_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownSettingError, match="did you mean journal_size"):
        parse_setting("journal_sise", "5")


# ---------------------------------------------------------------------------------------------- the listing's data
def test_every_setting_carries_one_line_of_why():
    for name, field in setting_fields().items():
        why = field.metadata.get("why")
        assert isinstance(why, str) and why.strip() and "\n" not in why, name


def test_types_as_listed():
    assert type_name("mixed_batch_status") == "int: 200|207"
    assert type_name("port") == "int 0..65535"
    assert type_name("max_batch_inputs") == "int >= 1 | unset"
    assert type_name("profile") == "live|spec"
    assert type_name("accept_any_token") == "bool"
    assert type_name("admin_token") == "str | unset"
