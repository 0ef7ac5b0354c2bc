"""Seed files and fault files: every mistake reported with its file, line and field, all at once; good files,
including the project's own, accepted unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.faults import load_rules
from mock_server.seed import check_seed, read_seed
from mock_server.settings import Settings
from mock_server.source_files import FileMistakes, Mistake
from mock_server.spec import document_for, operations

ROOT = Path(__file__).resolve().parents[1]


def upsert(profile: str = "live"):
    return next(op for op in operations(document_for(Settings.for_profile(profile))) if op.operation_id == "upsertEvents")


def seed_mistakes(path: Path, text: str, profile: str = "live") -> list[Mistake]:
    path.write_text(text)
    with pytest.raises(FileMistakes) as raised:
        check_seed(read_seed(path), upsert(profile))
    assert raised.value.path == str(path)
    return raised.value.mistakes


def test_wrong_types_unknown_keys_and_missing_identities_each_get_their_line(tmp_path):
    mistakes = seed_mistakes(
        tmp_path / "seed.yaml",
        "portals:\n"                                                   # 1
        "  - id: 1\n"                                                  # 2
        "    propertyDefinitions: webinar_platform\n"                  # 3
        "    contacts:\n"                                              # 4
        "      - {email: ada@example.com, properties: {zip: 12345}}\n"  # 5
        "      - {properties: {firstname: Nobody}}\n"                  # 6
        "      - {vid: 0}\n"                                           # 7
        "      - email: not-an-email\n"                                # 8
        "tokens:\n"                                                    # 9
        "  - token: pat-readonly\n"                                    # 10
        "    scopes: read\n"                                           # 11
        "  - {tokn: pat-typo}\n"                                       # 12
        "  - {token: pat-readonly}\n"                                  # 13
        "imports: [other.yaml]\n",                                     # 14
    )
    assert [(m.line, m.where, m.message) for m in mistakes] == [
        (3, "portals[0].propertyDefinitions", 'must be a list, got a string ("webinar_platform")'),
        (5, "portals[0].contacts[0].properties.zip", "must be a string, got a number (12345) (YAML reads it so: put it in quotes to keep it text)"),
        (6, "portals[0].contacts[1]", "a contact needs an email or a vid"),
        (7, "portals[0].contacts[2].vid", "must be at least 1, got 0"),
        (8, "portals[0].contacts[3].email", "'not-an-email' is not an email address"),
        (11, "tokens[0].scopes", 'must be a list, got a string ("read")'),
        (12, "tokens[1]", "unknown key 'tokn'; did you mean 'token'?"),
        (12, "tokens[1]", "'token' is missing"),
        (13, "tokens[2].token", "token 'pat-readonly' appears twice (also tokens[0])"),
        (14, "", "unknown key 'imports' (known: portals, tokens, developerKeys, events)"),
    ]


def test_the_same_contact_twice_in_a_portal_is_a_mistake(tmp_path):
    mistakes = seed_mistakes(
        tmp_path / "seed.yaml",
        "portals:\n"
        "  - id: 1\n"
        "    contacts:\n"
        "      - {vid: 3000000001, email: ada@example.com}\n"
        "      - {vid: 3000000001}\n"
        "      - {email: ADA@Example.com}\n"
        "  - id: 1\n",
    )
    assert [(m.line, m.message) for m in mistakes] == [
        (5, "vid 3000000001 appears twice in the portal (also contacts[0])"),
        (6, "ADA@Example.com appears twice in the portal (also contacts[0])"),
        (7, "portal 1 appears twice (also portals[0])"),
    ]


def test_events_are_checked_as_the_upsert_endpoint_takes_them_in_the_profile(tmp_path):
    text = (
        "events:\n"
        "  - {externalAccountId: acct-1, externalEventId: webinar-1, eventName: Launch, eventOrganizer: Ada,\n"
        "     startDateTime: 2026-12-01T15:00:00Z}\n"  # unquoted: YAML would make it a datetime; here it stays text
        "  - {externalAccountId: acct-1, externalEventId: webinar-2, eventName: Launch, startDateTime: tomorrow}\n"
        "  - {appId: 1, externalAccountId: acct-1, externalEventId: webinar-1, eventName: Again, eventOrganizer: Ada}\n"
    )
    mistakes = seed_mistakes(tmp_path / "seed.yaml", text)
    assert [(m.line, m.where, m.message) for m in mistakes] == [
        (4, "events[1].eventOrganizer", "eventOrganizer required"),
        (4, "events[1].startDateTime", "startDateTime must be an ISO-8601 date-time, got 'tomorrow'"),
    ]
    # the spec profile wants customProperties as well; and the second webinar-1 is the same event only for app 1
    spec = {(m.line, m.where) for m in seed_mistakes(tmp_path / "seed.yaml", text, "spec")}
    assert (2, "events[0].customProperties") in spec


def test_an_event_twice_for_one_app_is_a_mistake(tmp_path):
    mistakes = seed_mistakes(
        tmp_path / "seed.yaml",
        "events:\n"
        "  - {appId: 2, externalAccountId: a, externalEventId: e, eventName: n, eventOrganizer: o}\n"
        "  - {appId: 3, externalAccountId: a, externalEventId: e, eventName: n, eventOrganizer: o}\n"
        "  - {appId: 2, externalAccountId: a, externalEventId: e, eventName: n, eventOrganizer: o}\n",
    )
    assert [(m.line, m.message) for m in mistakes] == [(4, "event 'e' of account 'a' appears twice for one app (also events[0])")]


def test_a_key_written_twice_is_a_mistake(tmp_path):
    mistakes = seed_mistakes(tmp_path / "seed.yaml", "tokens: []\nportals: []\ntokens:\n  - {token: t}\n")
    assert [(m.line, m.message) for m in mistakes] == [(3, "key 'tokens' appears twice (first on line 1)")]


def test_syntax_errors_have_their_line(tmp_path):
    (mistake,) = seed_mistakes(tmp_path / "seed.yaml", "portals:\n  - id: 1\n   contacts: []\n")
    assert mistake.line == 3 and mistake.message.startswith("not valid YAML")
    (mistake,) = seed_mistakes(tmp_path / "seed.json", '{\n "portals": [\n  {"id": 1}\n  {"id": 2}\n ]\n}\n')
    assert mistake.line == 4 and mistake.message.startswith("not valid JSON")
    (tmp_path / "latin.yaml").write_bytes("tokens: []\nportals: [{id: 1, contacts: [{email: zoë@example.com}]}]\n".encode("latin-1"))
    with pytest.raises(FileMistakes) as raised:
        read_seed(tmp_path / "latin.yaml")
    assert [(m.line, m.message) for m in raised.value.mistakes] == [(2, "is not UTF-8 text")]


def test_a_json_seed_s_mistakes_have_lines_too(tmp_path):
    mistakes = seed_mistakes(tmp_path / "seed.json", '{"tokens": [\n  {"token": "a"},\n  {"token": "b", "expired": "yes"}\n]}\n')
    assert [(m.line, m.where) for m in mistakes] == [(3, "tokens[1].expired")]


def test_a_seed_that_is_not_a_mapping(tmp_path):
    (mistake,) = seed_mistakes(tmp_path / "seed.yaml", "- just\n- a list\n")
    assert mistake.message == "a seed is a mapping with the keys portals, tokens, developerKeys, events"


def test_a_seed_given_as_data_is_checked_the_same_without_lines():
    with pytest.raises(FileMistakes) as raised:
        check_seed({"tokens": [{"token": "t", "scopes": "read"}]}, upsert())
    assert str(raised.value) == 'seed: tokens[0].scopes: must be a list, got a string ("read")'


@pytest.mark.parametrize("path", ["contracts/mock-seed.yaml", "benchmarks/seed.yaml"])
def test_the_project_s_own_seeds_are_accepted(path):
    check_seed(read_seed(ROOT / path), upsert())


def test_the_readme_s_seed_is_accepted(tmp_path):
    readme = (ROOT / "README.md").read_text()
    example = readme.split("### Seed file")[1].split("```yaml\n")[1].split("```")[0]
    (tmp_path / "seed.yaml").write_text(example)
    check_seed(read_seed(tmp_path / "seed.yaml"), upsert())


# ---------------------------------------------------------------------------------------------- faults files
def fault_mistakes(path: Path, text: str) -> list[tuple[int | None, str, str]]:
    path.write_text(text)
    with pytest.raises(FileMistakes) as raised:
        load_rules(path)
    return [(m.line, m.where, m.message) for m in raised.value.mistakes]


def test_every_rule_s_mistakes_get_their_line(tmp_path):
    assert fault_mistakes(
        tmp_path / "faults.yaml",
        "faults:\n"
        "  - {action: respond, status: 503, times: 2}\n"
        "  - {action: respond, status: 999}\n"
        "  - {action: latency, delay_range_ms: [200]}\n"
        "  - {action: partial, fail_fraction: 1.5}\n"
        "  - {action: respond}\n"
        "  - {action: drop, when: later, times: 0}\n",
    ) == [
        (3, "faults[1].status", "must be one of 400, 401, 403, 404, 409, 429, 500, 502, 503, 504, 521, 522, 523, got a number (999)"),
        (4, "faults[2].delay_range_ms", "must have at least 2 item(s), got 1"),
        (5, "faults[3].fail_fraction", "must be at most 1, got 1.5"),
        (6, "faults[4]", "a respond fault needs a status"),
        (7, "faults[5].times", "must be at least 1, got 0"),
        (7, "faults[5].when", 'must be one of before, after, got a string ("later")'),
    ]


def test_a_faults_file_that_is_not_a_list(tmp_path):
    assert fault_mistakes(tmp_path / "faults.yaml", "action: respond\nstatus: 503\n") == [
        (1, "", "a faults file is a list of rules (or a mapping with a `faults` list)")
    ]


def test_good_faults_files_load(tmp_path):
    path = tmp_path / "faults.yaml"
    readme = (ROOT / "README.md").read_text()
    path.write_text(readme.split("cat > faults.yaml <<'YAML'\n")[1].split("YAML")[0])
    rules = load_rules(path)
    assert [r.action for r in rules] == ["respond", "respond", "latency"]
    (tmp_path / "faults.json").write_text('{"faults": [{"action": "hang", "hang_ms": 10}]}')
    assert load_rules(tmp_path / "faults.json")[0].hang_ms == 10
