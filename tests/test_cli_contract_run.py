"""The documented command-line contract run: `hubspot-mock` in a subprocess, `schemathesis run` against it.

In process, schemathesis cannot see what only a real HTTP server rejects (a header value uvicorn refuses
made it drop the connection once); this run goes over the wire, exactly as the README shows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def mock_cli():
    process = subprocess.Popen(
        [str(BIN / "hubspot-mock"), "--port", "0", "--seed", "contracts/mock-seed.yaml", "--set", "accept_any_token=false", "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        banner = process.stdout.readline()
        url = re.search(r"on (http://\S+)", banner)
        assert url, banner + process.stdout.read() if process.poll() is not None else banner
        yield url.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_schemathesis_cli_passes_every_check_against_the_live_server(mock_cli):
    examples = os.environ.get("CONTRACT_CLI_EXAMPLES", "30")
    run = subprocess.run(
        [str(BIN / "schemathesis"), "run", f"{mock_cli}/openapi.json", "-H", "Authorization: Bearer pat-contract-tests",
         "--checks", "all", "--exclude-tag", "Mock admin", "--phases", "examples,coverage,fuzzing", "-n", examples, "--no-color"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"\d+ generated, \d+ passed", run.stdout), run.stdout[-2000:]
