"""`hubspot-mock proxy` and `hubspot-mock replay` as users run them: a real proxy process in front of a stand-in
upstream, the official SDK through it, the report written on SIGTERM, the recording replayed offline by a second
process to the same report; and a user's mistakes on the command line answered in a sentence, not a traceback.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import hubspot
import pytest
from hubspot.marketing.events import (
    BatchInputMarketingEventCreateRequestParams,
    BatchInputMarketingEventEmailSubscriber,
    BatchInputMarketingEventSubscriber,
    MarketingEventCreateRequestParams,
    MarketingEventEmailSubscriber,
    MarketingEventSubscriber,
)

from mock_server import Settings, create_app
from mock_server.proxy.cli import proxy_main, replay_main
from mock_server.testing import serve_in_thread

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOKEN = "pat-na1-7d2c-PROXY-SECRET-do-not-log"
CREATE = "POST /marketing/v3/marketing-events/attendance/{externalEventId}/{subscriberState}/create"


def test_proxy_process_reports_on_exit_and_its_recording_replays_offline(tmp_path: Path) -> None:
    stand_in = create_app(Settings.for_profile("spec", first_vid=7_000_000_001, first_object_id=920_000_000_001))
    with serve_in_thread(stand_in) as upstream_url:
        proc = subprocess.Popen(
            [str(BIN / "hubspot-mock"), "proxy", "--port", "0", "--upstream", upstream_url,
             "--report", str(tmp_path / "live"), "--record", str(tmp_path / "run.jsonl"), "--hash-emails"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            assert proc.stdout is not None
            banner = proc.stdout.readline()
            found = re.search(r"on (http://\S+) -> ", banner)
            assert found, banner + proc.stdout.read()
            output = [banner]
            reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
            reader.start()
            events = hubspot.Client.create(access_token=TOKEN, host=found.group(1)).marketing.events
            (created,) = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[
                MarketingEventCreateRequestParams(external_account_id="acct-1", external_event_id="webinar-1",
                                                  event_name="Launch", event_organizer="Acme", custom_properties=[])])).results
            (contact,) = events.add_event_attendees_api.record_by_email(
                created.object_id, "register", BatchInputMarketingEventEmailSubscriber(inputs=[MarketingEventEmailSubscriber(
                    email="ada@example.com", interaction_date_time=1_764_601_200_000, properties={}, contact_properties={})])).results
            attended = events.add_event_attendees_api.record_by_contact_ids(
                "webinar-1", "attend", BatchInputMarketingEventSubscriber(inputs=[MarketingEventSubscriber(
                    vid=contact.vid, interaction_date_time=1_764_601_300_000,
                    properties={"joinedAt": "2026-12-01T15:00:00Z", "leftAt": "2026-12-01T15:45:00Z"})]),
                external_account_id="acct-1")
            assert attended.results[0].vid == contact.vid  # the upstream's 200, which the SDK maps
            counters = events.retrieve_participant_state_api.get_participations_counters_by_marketing_event_id(int(created.object_id))
            assert counters.attended == 1
            proc.send_signal(signal.SIGTERM)
            # uvicorn shuts down (the lifespan writes the report), then ends by the signal it got, as the mock does
            assert proc.wait(timeout=15) in (0, -signal.SIGTERM)
            reader.join(timeout=5)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    printed = "".join(output)
    assert "proxy: report written to" in printed
    report = json.loads((tmp_path / "live.json").read_text())
    create = next(op for op in report["operations"] if op["operation"] == CREATE)
    assert [(d["field"], d["upstream"], d["mock"], d["settings_that_match"]) for d in create["differences"]] == [
        ("status", "200", "201", ["profile=spec", "record_by_contact_ids_status=200"])]
    assert report["totals"] == {"calls": 4, "matched": 3, "differed": 1, "upstream_faults": 0, "not_compared": 0, "compared": 4}
    for text in (printed, (tmp_path / "live.md").read_text(), (tmp_path / "run.jsonl").read_text()):
        assert TOKEN not in text and "ada@example.com" not in text

    # the recording, replayed offline by another process: the same report, and a CI gate
    replayed = subprocess.run(
        [str(BIN / "hubspot-mock"), "replay", str(tmp_path / "run.jsonl"), "--report", str(tmp_path / "replayed.md")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads((tmp_path / "replayed.json").read_text()) == report
    assert (tmp_path / "replayed.md").read_text() == (tmp_path / "live.md").read_text()
    assert "4 calls from" in replayed.stderr and "1 differed" in replayed.stderr
    gated = subprocess.run(
        [str(BIN / "hubspot-mock"), "replay", str(tmp_path / "run.jsonl"), "--profile", "spec", "--fail-on-differences"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert gated.returncode == 0, gated.stdout  # the spec profile matches the spec stand-in on every call
    assert gated.stdout.startswith("# Fidelity report: the mock against http://127.0.0.1:")
    assert "Nothing to change: every compared call matched." in gated.stdout
    assert replay_main([str(tmp_path / "run.jsonl"), "--fail-on-differences", "--no-candidates"]) == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["proxy", "--upstream", "ftp://example.com"], "expected an http(s) URL"),
        (["proxy", "--set", "no_such_setting=1"], "there is no setting 'no_such_setting'"),
        (["proxy", "--set", "create_requires_external_account_id=maybe"], "must be true or false"),
        (["proxy", "--seed", "/nonexistent/seed.yaml"], "No such file"),
        (["replay", "/nonexistent/run.jsonl"], "No such file"),
    ],
)
def test_command_line_mistakes_are_a_sentence_and_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    main = proxy_main if argv[0] == "proxy" else replay_main
    assert main(argv[1:]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_file_that_is_not_a_recording_is_named_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"hubspot_mock_recording": 1, "upstream": "https://api.hubapi.com"}\n{"request": {"path": 3}}\n')
    assert replay_main([str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: not a recorded exchange" in err and "Traceback" not in err


def test_usage_errors_and_help_do_not_raise(capsys: pytest.CaptureFixture[str]) -> None:
    assert proxy_main(["--port", "not-a-port"]) == 2
    assert "invalid int value" in capsys.readouterr().err
    assert replay_main(["--help"]) == 0
    assert "--fail-on-differences" in capsys.readouterr().out
