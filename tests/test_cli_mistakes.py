"""A newcomer's mistakes with the `hubspot-mock` command, through the real command in a subprocess: each is one
clear message on stderr naming what was wrong and what would be right, exit status 2, and never a traceback.
The settings listing, the banner's word on tokens and the warning about a misspelt environment variable are
checked the same way."""

from __future__ import annotations

import dataclasses
import os

import orjson
import pytest
from mock_process import mock_process, run_command

from mock_server.cli import main
from mock_server.settings import PROFILES, Settings, setting_fields


def clean_env(**variables: str) -> dict[str, str]:
    """The test's environment without any HUBSPOT_MOCK_* of its own, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_MOCK_")}
    return {**env, **variables}


def mistake(*args: str, env: dict[str, str] | None = None) -> str:
    """Run the command with a mistake; return its one message (stderr), checked for the common promises."""
    result = run_command("--port", "0", *args, env=env or clean_env())
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert "HubSpot Marketing Events mock" not in result.stdout  # it never started serving
    assert result.stderr.startswith("hubspot-mock: "), result.stderr
    return result.stderr


# ---------------------------------------------------------------------------------------------- --set and flags
def test_an_unknown_setting_suggests_the_closest_and_the_listing():
    message = mistake("--set", "mixed_batch=207")
    assert "--set mixed_batch=207" in message
    assert "did you mean mixed_batch_status?" in message
    assert "hubspot-mock settings" in message
    assert message.count("\n") == 1  # one line


def test_a_value_that_is_not_a_number_names_the_setting_and_its_values():
    message = mistake("--set", "mixed_batch_status=abc")
    assert "--set mixed_batch_status=abc: mixed_batch_status must be 200 or 207, got 'abc'" in message
    assert "invalid literal" not in message


@pytest.mark.parametrize(
    "item, expected",
    [
        ("mixed_batch_status=404", "mixed_batch_status must be 200 or 207, got 404"),
        ("record_by_contact_ids_status=207", "record_by_contact_ids_status must be 200 or 201, got 207"),
        ("upsert_by_contact_id_status=201", "upsert_by_contact_id_status must be 200 or 204, got 201"),
        ("max_batch_inputs=-5", "max_batch_inputs must be an integer >= 1 or unset, got -5"),
        ("max_body_bytes=0", "max_body_bytes must be an integer >= 1, got 0"),
        ("journal_size=0", "journal_size must be an integer >= 1, got 0"),
        ("read_lag_seconds=-1", "read_lag_seconds must be a number >= 0, got -1.0"),
        ("shutdown_grace_seconds=-2", "shutdown_grace_seconds must be a number >= 0, got -2.0"),
        ("iso_interaction_datetime=maybe", "iso_interaction_datetime must be one of accept, drop, reject, got 'maybe'"),
    ],
)
def test_a_value_out_of_range_names_the_option_and_what_it_takes(item, expected, capsys, monkeypatch):
    """In process (cli.main, as the command calls it): the subprocess tests above show the same path ends in
    exit status 2 without a traceback."""
    for name in [n for n in os.environ if n.startswith("HUBSPOT_MOCK_")]:
        monkeypatch.delenv(name)
    assert main(["--port", "0", "--set", item]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"hubspot-mock: --set {item}: {expected}\n")


def test_a_bad_boolean_from_set_names_the_option_not_an_environment_variable():
    message = mistake("--set", "accept_any_token=nope")
    assert "--set accept_any_token=nope: accept_any_token must be true or false, got 'nope'" in message
    assert "HUBSPOT_MOCK_" not in message


def test_a_bad_value_from_the_environment_names_the_variable():
    message = mistake(env=clean_env(HUBSPOT_MOCK_ACCEPT_ANY_TOKEN="nope"))
    assert "HUBSPOT_MOCK_ACCEPT_ANY_TOKEN=nope: accept_any_token must be true or false, got 'nope'" in message
    message = mistake(env=clean_env(HUBSPOT_MOCK_MIXED_BATCH_STATUS="404"))
    assert "HUBSPOT_MOCK_MIXED_BATCH_STATUS=404: mixed_batch_status must be 200 or 207, got 404" in message


def test_set_wins_over_a_bad_environment_value():
    """The environment's value is overridden, so it is never checked against the range."""
    with mock_process("--set", "mixed_batch_status=207", env=clean_env(HUBSPOT_MOCK_MIXED_BATCH_STATUS="404")) as process:
        process.stop()
    assert process.proc.returncode in (0, -15)


def test_a_port_out_of_range_is_a_message():
    message = mistake("--port", "80000")
    assert "--port 80000: port must be an integer from 0 to 65535, got 80000" in message


def test_set_without_a_value_shows_the_form():
    assert "--set mixed_batch_status: expected NAME=VALUE" in mistake("--set", "mixed_batch_status")


def test_a_port_in_use_is_a_message():
    with mock_process() as process:
        message = mistake("--port", str(process.port))
        process.stop()
    assert f"cannot bind 127.0.0.1:{process.port}" in message


def test_an_unknown_command_suggests_the_closest():
    result = run_command("sttings", env=clean_env())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unknown command 'sttings'; did you mean settings?" in result.stderr


# ---------------------------------------------------------------------------------------------- files
def test_a_yaml_syntax_error_in_a_seed_gives_its_file_and_line(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("portals:\n  - id: 1\n    contacts: [{email: a@example.com}\ntokens: []\n")
    message = mistake("--seed", str(seed))
    assert f"{seed}:4: not valid YAML" in message
    assert "started on line 3" in message


def test_every_mistake_of_a_seed_is_listed_with_line_and_field(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "portals:\n"
        "  - id: 1\n"
        "    contacts:\n"
        "      - {properties: {firstname: Nobody}}\n"
        "      - {vid: 3000000001, emial: x@example.com}\n"
        "tokens:\n"
        "  - {token: pat-readonly, scopes: read}\n"
        "events:\n"
        "  - {externalAccountId: acct-1, externalEventId: webinar-1, eventName: Launch}\n"
    )
    message = mistake("--seed", str(seed))
    assert f"{seed}: 4 mistakes" in message
    assert f"{seed}:4: portals[0].contacts[0]: a contact needs an email or a vid" in message
    assert f"{seed}:5: portals[0].contacts[1]: unknown key 'emial'; did you mean 'email'?" in message
    assert f'{seed}:7: tokens[0].scopes: must be a list, got a string ("read")' in message
    assert f"{seed}:9: events[0].eventOrganizer: eventOrganizer required" in message


def test_a_json_seed_error_gives_its_line(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text('{"portals": [\n  {"id": 1, "contacts": [{"vid": "x"}]}\n]}\n')
    assert f'{seed}:2: portals[0].contacts[0].vid: must be an integer, got a string ("x")' in mistake("--seed", str(seed))
    seed.write_text('{"portals": [\n  {"id": 1,}\n]}\n')
    assert f"{seed}:2: not valid JSON" in mistake("--seed", str(seed))


def test_a_missing_seed_file_is_a_message(tmp_path):
    assert "No such file or directory" in mistake("--seed", str(tmp_path / "nope.yaml"))


def test_a_faults_file_reports_each_rule_s_mistakes(tmp_path):
    faults = tmp_path / "faults.yaml"
    faults.write_text(
        "- {action: respond, status: 503}\n"
        "- {action: respnd, status: 503}\n"
        "- {action: latency, delay_ms: '200'}\n"
        "- {action: respond}\n"
        "- {action: drop, wen: after}\n"
    )
    message = mistake("--faults", str(faults))
    assert f"{faults}: 4 mistakes" in message
    assert f"{faults}:2: [1].action: must be one of" in message
    assert f'{faults}:3: [2].delay_ms: must be an integer, got a string ("200")' in message
    assert f"{faults}:4: [3]: a respond fault needs a status" in message
    assert f"{faults}:5: [4]: unknown key 'wen'; did you mean 'when'?" in message


def test_a_state_file_that_is_not_one_is_a_message(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("portals: []\n")
    assert f"{state}: not valid JSON" in mistake("--state", str(state))


# ---------------------------------------------------------------------------------------------- what it says when it runs
def test_a_misspelt_environment_variable_is_warned_about_with_the_real_name():
    with mock_process(env=clean_env(HUBSPOT_MOCK_PROFLE="spec")) as process:
        output = process.stop()
    assert "warning: HUBSPOT_MOCK_PROFLE is not a setting and is ignored; did you mean HUBSPOT_MOCK_PROFILE?" in output
    assert "(live profile)" in output  # ignored indeed


def test_the_banner_tells_the_truth_about_tokens(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("tokens:\n  - {token: pat-only}\n")
    with mock_process("--seed", str(seed), "--set", "accept_any_token=false", env=clean_env()) as process:
        output = process.stop()
    assert "only the seed's tokens are accepted (1 seeded)" in output
    assert "any non-empty Bearer token" not in output and 'access_token="any-token"' not in output
    with mock_process(env=clean_env()) as process:
        output = process.stop()
    assert "any non-empty Bearer token is app 1 of portal 1" in output
    with mock_process("--set", "accept_any_token=false", env=clean_env()) as process:
        output = process.stop()
    assert "no token is seeded: every call will be answered 401" in output


# ---------------------------------------------------------------------------------------------- the listing
def test_settings_lists_every_setting_with_type_default_profiles_and_why():
    result = run_command("settings", env=clean_env())
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("SETTING"))
    assert lines[header].split() == ["SETTING", "TYPE", "DEFAULT", "LIVE", "SPEC"]
    for name, field in setting_fields().items():
        row = next(i for i, line in enumerate(lines) if line.split()[:1] == [name])
        assert lines[row + 1].strip() == field.metadata["why"]
    row = next(line for line in lines if line.startswith("record_by_contact_ids_status "))
    assert row.split() == ["record_by_contact_ids_status", "int:", "200|201", "201", "201", "200"]


def test_settings_as_json_match_the_profiles():
    result = run_command("settings", "--json", env=clean_env())
    table = orjson.loads(result.stdout)
    assert [row["setting"] for row in table] == list(setting_fields())
    for profile in PROFILES:
        assert {row["setting"]: row[profile] for row in table} == dataclasses.asdict(Settings.for_profile(profile))
    by_name = {row["setting"]: row for row in table}
    assert by_name["max_batch_inputs"]["accepts"] == "an integer >= 1 or unset"
    assert by_name["mixed_batch_status"]["env"] == "HUBSPOT_MOCK_MIXED_BATCH_STATUS"


def test_settings_filters_by_a_word():
    result = run_command("settings", "batch", env=clean_env())
    names = [line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith((" ", "SETTING", "Set ", "An "))]
    assert names == ["mixed_batch_status", "max_batch_inputs", "duplicate_batch_items", "batch_archive_missing"]
    nothing = run_command("settings", "nothing-like-this", env=clean_env())
    assert nothing.returncode == 2 and "no setting's name contains 'nothing-like-this'" in nothing.stderr
