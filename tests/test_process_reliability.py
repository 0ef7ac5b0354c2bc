"""The `hubspot-mock` process under clients that misbehave: it never loses acknowledged writes and never stops
serving. Every test runs the real command in a subprocess and talks to it over sockets.

- SIGTERM while calls are stuck (an upload stalled mid-body, a `hang` fault): the calls get
  shutdown_grace_seconds, then the state is saved and the process exits.
- Thousands of half-open connections (nothing sent, or half a request line) against a process limited to 1,024
  open files: a normal client is still served.
- Pipelined requests are answered in order, and garbage after a valid request is answered 400 after it.
- Headers over max_header_bytes are a 431 envelope, and 1 MB headers do not grow the process.
- A connection that never completes its headers is closed after header_timeout_seconds.
- Temporary files left by an interrupted save are removed at start.
"""

from __future__ import annotations

import re
import resource
import signal
import time

import hubspot
import httpx
import orjson
import pytest
from envelopes import assert_error_response
from hubspot.marketing.events import BatchInputMarketingEventCreateRequestParams, MarketingEventCreateRequestParams
from mock_process import MockProcess, closed_by_peer, is_closed, mock_process, read_responses, request_bytes
from test_cli_process import write_with_the_sdk

UPSERT = "/marketing/v3/marketing-events/events/upsert"
GRACE = 2.0


def event_body(event_id: str) -> bytes:
    return orjson.dumps({"inputs": [{"externalAccountId": "acct-1", "externalEventId": event_id, "eventName": "Launch", "eventOrganizer": "Ada"}]})


def event_path(event_id: str) -> str:
    return f"/marketing/v3/marketing-events/events/{event_id}?externalAccountId=acct-1"


# ---------------------------------------------------------------------------------------------- shutdown
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_saves_every_acknowledged_write_within_the_grace_period_whatever_is_in_flight(tmp_path, sig):
    path = tmp_path / "state.json"
    with mock_process("--state", str(path), "--set", f"shutdown_grace_seconds={GRACE}") as process:
        write_with_the_sdk(process.url)
        acknowledged = process.state()
        # an upload that stops half-way through its body
        stalled = process.connect()
        stalled.sendall(request_bytes("POST", UPSERT, Content_Type="application/json", Content_Length="5000") + b'{"inputs": [')
        # a call held by the mock's own hang fault (60 s unless cut short)
        hanging = process.connect()
        hanging.sendall(request_bytes("GET", event_path("webinar-0"), X_HubSpot_Mock_Fault='{"action": "hang"}'))
        time.sleep(0.5)  # both reach the server and are in flight

        started = time.monotonic()
        output = process.stop(sig, timeout=GRACE + 10)
        took = time.monotonic() - started

    assert took < GRACE + 3, f"exit took {took:.1f} s with a {GRACE} s grace period"
    # uvicorn waited the grace period for exactly these two calls, then cut them off
    assert re.search(r"Cancel 2 running task\(s\), timeout graceful shutdown exceeded", output), output
    assert process.proc.returncode in (0, -sig)
    assert closed_by_peer(hanging, 5) and closed_by_peer(stalled, 5)

    with mock_process("--state", str(path)) as restarted:
        assert restarted.state() == acknowledged
        restarted.stop()


# ---------------------------------------------------------------------------------------------- connections
def _limit_open_files(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    return apply


def test_thousands_of_half_open_connections_do_not_shut_a_normal_client_out():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2200
    if soft < wanted and (hard == resource.RLIM_INFINITY or hard >= wanted):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    available = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    sockets_to_open = min(2000, available - 200)
    server_limit = min(1024, sockets_to_open // 2)  # the server cannot hold them all at once

    with mock_process(preexec_fn=_limit_open_files(server_limit)) as process:
        half_open = []
        try:
            for i in range(sockets_to_open):
                sock = process.connect()
                if i % 2:
                    sock.send(b"POST /marketing/v3/marketing-ev")  # half a request line, then nothing
                half_open.append(sock)

            # the official SDK and httpx, each on a fresh connection, within a few seconds (the header timeout
            # that would close the half-open sockets anyway is 10 s)
            client = hubspot.Client.create(access_token="pat-any", host=process.url)
            created = client.marketing.events.batch_api.upsert(
                BatchInputMarketingEventCreateRequestParams(inputs=[MarketingEventCreateRequestParams(
                    external_account_id="acct-1", external_event_id="webinar-1", event_name="Launch", event_organizer="Ada",
                )]),
                _request_timeout=5,
            )
            assert created.results[0].object_id
            assert httpx.get(f"{process.url}/openapi.json", timeout=5).status_code == 200

            evicted = sum(map(is_closed, half_open))
            assert evicted >= sockets_to_open - server_limit  # the longest idle made room
        finally:
            for sock in half_open:
                sock.close()
        process.stop()


def test_a_connection_that_never_completes_its_headers_is_closed_after_the_header_timeout():
    with mock_process("--set", "header_timeout_seconds=1") as process:
        partial, silent = process.connect(), process.connect()
        partial.sendall(b"GET /marketing/v3/marketing-events/1 HTTP/1.1\r\nHost: mo")
        started = time.monotonic()
        (answer,) = read_responses(partial, 1)
        assert_error_response(answer, 408, category=None)
        assert closed_by_peer(silent, 5)
        assert time.monotonic() - started < 5
        # a connection that sends its request in time is served as ever
        with process.connect() as sock:
            sock.sendall(request_bytes("GET", "/openapi.json"))
            assert read_responses(sock, 1)[0].status_code == 200
        process.stop()


# ---------------------------------------------------------------------------------------------- pipelining
def test_pipelined_requests_are_answered_in_order():
    with mock_process() as process:
        for event_id in ("webinar-a", "webinar-b"):
            assert httpx.post(f"{process.url}{UPSERT}", content=event_body(event_id), headers={
                "Authorization": "Bearer t", "Content-Type": "application/json"}).status_code == 200
        slow = '{"action": "latency", "delay_ms": 300}'
        with process.connect() as sock:
            sock.sendall(
                request_bytes("GET", event_path("webinar-a"), X_HubSpot_Mock_Fault=slow)
                + request_bytes("GET", event_path("no-such-event"))
                + request_bytes("POST", UPSERT, event_body("webinar-c"))
                + request_bytes("GET", event_path("webinar-b"))
            )
            answers = read_responses(sock, 4)
        assert [a.status_code for a in answers] == [200, 404, 200, 200]
        assert [a.json().get("externalEventId") for a in (answers[0], answers[3])] == ["webinar-a", "webinar-b"]
        assert answers[2].json()["results"][0]["eventName"] == "Launch"
        process.stop()


def test_garbage_after_a_valid_request_is_answered_after_it():
    with mock_process() as process:
        with process.connect() as sock:
            sock.sendall(request_bytes("POST", UPSERT, event_body("webinar-1")) + b"GARBAGE \x00\x01 nonsense\r\n\r\n")
            answers = read_responses(sock, 3)
            assert closed_by_peer(sock, 5)
        assert [a.status_code for a in answers] == [200, 400]  # the write's own answer first, then the refusal
        assert answers[0].json()["results"][0]["objectId"]
        assert_error_response(answers[1], 400)
        events = process.state()["portals"]["1"]["events"]
        assert [e["externalEventId"] for e in events] == ["webinar-1"]  # applied once
        process.stop()


# ---------------------------------------------------------------------------------------------- header size
def test_headers_over_the_limit_are_a_431_and_one_megabyte_headers_do_not_grow_the_process():
    with mock_process() as process:
        assert httpx.get(f"{process.url}/openapi.json").status_code == 200
        before = process.rss_mb()
        for _ in range(50):
            with process.connect() as sock:
                request = request_bytes("GET", event_path("webinar-1"), X_Padding="a" * (1 << 20))
                try:
                    sock.sendall(request)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server stopped reading at the limit; its answer is still there to read
                (answer,) = read_responses(sock, 1)
            body = assert_error_response(answer, 431)
            assert "65536" in body["message"]
        grown = process.rss_mb() - before
        assert grown < 5, f"RSS grew by {grown:.1f} MB"
        # just under the limit is served, and the server is as good as new
        fits = request_bytes("GET", event_path("webinar-1"), X_Padding="a" * 60_000)
        with process.connect() as sock:
            sock.sendall(fits)
            assert read_responses(sock, 1)[0].status_code == 404
        process.stop()


def test_the_header_limit_is_a_setting():
    with mock_process("--set", "max_header_bytes=2048") as process:
        with process.connect() as sock:
            sock.sendall(request_bytes("GET", "/openapi.json", X_Padding="a" * 3000))
            body = assert_error_response(read_responses(sock, 1)[0], 431)
        assert "2048" in body["message"]
        assert httpx.get(f"{process.url}/openapi.json", headers={"X-Padding": "a" * 1000}).status_code == 200
        process.stop()


# ---------------------------------------------------------------------------------------------- saves
def test_temporary_files_of_an_interrupted_save_are_removed_at_start(tmp_path):
    path = tmp_path / "state.json"
    stale = [tmp_path / ".state.json.k2x9_q0a.tmp", tmp_path / ".state.json.00000000.tmp"]
    kept = [tmp_path / ".state.json.notours.tmp", tmp_path / ".other.json.k2x9_q0a.tmp", tmp_path / "state.json.tmp"]
    for file in stale + kept:
        file.write_bytes(b"half a save")
    with mock_process("--state", str(path)) as process:
        output = process.stop()
    assert not any(f.exists() for f in stale)
    assert all(f.exists() for f in kept)
    assert all(f"removed {f}" in output for f in stale)


def test_memory_is_bounded_in_bytes_when_a_large_value_is_updated_again_and_again():
    """300 updates of a 1 MiB event name (a different one each time): the journal keeps clipped bodies within its
    byte budget, the change log clips names, the event holds the last name once. RSS grows by tens of MB, not by
    the 300 MB the values add up to (before: 583 -> 2,681 MB)."""
    mock = MockProcess()
    try:
        upsert = f"{mock.url}/marketing/v3/marketing-events/events/upsert"
        auth = {"Authorization": "Bearer t"}
        with httpx.Client(timeout=30) as client:
            client.post(upsert, json={"inputs": [{"externalAccountId": "a", "externalEventId": "e", "eventName": "warm-up", "eventOrganizer": "o"}]}, headers=auth)
            before = mock.rss_mb()
            for i in range(300):
                name = f"{i:04d}" + "x" * (1024 * 1024 - 4)
                body = {"inputs": [{"externalAccountId": "a", "externalEventId": "e", "eventName": name, "eventOrganizer": "o"}]}
                assert client.post(upsert, json=body, headers=auth).status_code == 200
            after = mock.rss_mb()
        assert after - before < 150, (before, after)
    finally:
        mock.stop()
