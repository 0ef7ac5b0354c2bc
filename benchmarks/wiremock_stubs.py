"""Write WireMock's stubs (benchmarks/wiremock/mappings/*.json) from the mock's real answers.

Starts `hubspot-mock` with the benchmark seed, sends each benchmark request twice and keeps the second answer
(the one the mock gives for the rest of a load run), headers included, so WireMock sends the same bytes back.
Events upsert has one URL for three batch sizes: those stubs also match on Content-Length, which costs
WireMock no body parsing.

    .venv/bin/python benchmarks/wiremock_stubs.py
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import contenders
import workload
from processes import post

MAPPINGS = contenders.WIREMOCK_ROOT / "mappings"
DROPPED_HEADERS = {"date", "server", "content-length"}  # WireMock's own


def stub(scenario: workload.Scenario, status: int, headers: dict[str, str], body: bytes, match_length: bool) -> dict:
    request: dict = {"method": "POST", "url": scenario.path}
    if match_length:
        request["headers"] = {"Content-Length": {"equalTo": str(len(scenario.body))}}
    response: dict = {"status": status, "headers": {k: v for k, v in headers.items() if k.lower() not in DROPPED_HEADERS}}
    if body:
        response["body"] = body.decode()
    return {"name": scenario.title, "request": request, "response": response}


def main() -> None:
    logs = Path(tempfile.mkdtemp(prefix="bench-stubs-"))
    mock = contenders.server("mock", logs, core=1)
    mock.start()
    try:
        scenarios = workload.throughput_scenarios(workload.seeded_object_id(mock.base_url))
        shared = {s.path for s in scenarios if sum(o.path == s.path for o in scenarios) > 1}
        MAPPINGS.mkdir(parents=True, exist_ok=True)
        for old in MAPPINGS.glob("*.json"):
            old.unlink()
        for scenario in scenarios:
            post(mock.port, scenario.path, scenario.body, workload.HEADERS)
            status, headers, body = post(mock.port, scenario.path, scenario.body, workload.HEADERS)
            mapping = stub(scenario, status, headers, body, scenario.path in shared)
            (MAPPINGS / f"{scenario.key}.json").write_text(json.dumps(mapping, indent=2) + "\n")
            print(f"{scenario.key}: {status}, {len(body)} bytes")
    finally:
        mock.stop()
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    main()
