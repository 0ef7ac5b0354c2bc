"""The documented command-line contract run: `hubspot-mock` in a subprocess, `schemathesis run` against it.

In process, schemathesis cannot see what only a real HTTP server rejects (a header value uvicorn refuses
made it drop the connection once); this run goes over the wire, exactly as the README shows. The mock's journal
then shows what the run reached: every operation, the app-settings ones past their developer-key check.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SEED = ROOT / "contracts" / "mock-seed.yaml"


@pytest.fixture
def mock_cli():
    process = subprocess.Popen(
        [str(BIN / "hubspot-mock"), "--port", "0", "--seed", str(SEED.relative_to(ROOT)), "--set", "accept_any_token=false",
         "--set", "journal_size=50000", "--log-level", "warning"],
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


def test_the_seed_holds_the_developer_key_schemathesis_sends():
    configured = tomllib.loads((ROOT / "schemathesis.toml").read_text(encoding="utf-8"))
    key = configured["auth"]["openapi"]["developerHapikey"]["api_key"]
    assert key in [k["key"] for k in yaml.safe_load(SEED.read_text(encoding="utf-8"))["developerKeys"]]


def test_schemathesis_cli_passes_every_check_against_the_live_server(mock_cli):
    examples = os.environ.get("CONTRACT_CLI_EXAMPLES", "20")
    run = subprocess.run(
        [str(BIN / "schemathesis"), "run", f"{mock_cli}/openapi.json", "-H", "Authorization: Bearer pat-contract-tests",
         "--checks", "all", "--phases", "examples,coverage,fuzzing", "-n", examples, "--no-color"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"\d+ generated, \d+ passed", run.stdout), run.stdout[-2000:]

    with httpx.Client(base_url=mock_cli) as client:
        paths = client.get("/openapi.json").json()["paths"].values()
        operations = {op["operationId"] for item in paths for method, op in item.items() if method in ("get", "put", "post", "patch", "delete")}

        def answers(operation: str, status: str) -> int:
            found = client.get("/__mock/journal", params={"operation": operation, "status": status, "summary": "true", "limit": 1})
            return len(found.json()["results"])

        assert {"getAllEvents", "getAllEventsAtSpecPath", "getAppSettings", "updateAppSettings"} <= operations
        for operation in sorted(operations):
            assert answers(operation, "2xx") + answers(operation, "4xx") > 0, f"{operation} was never called"
            assert not answers(operation, "5xx"), f"{operation} answered a 5xx"
        for operation in ("getAppSettings", "updateAppSettings"):  # the developer key was sent and accepted
            past_the_key = sum(answers(operation, status) for status in ("2xx", "400", "403", "404"))
            assert past_the_key, f"{operation} never got past its developer-key check (all 401)"


def test_the_readme_contract_block_runs_as_written():
    """The README's "Live, from the command line" block, word for word, in bash from the repository (its
    `.venv` is this test's environment): the mock starts on 8091, schemathesis passes, `kill %1` stops it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- readme: runs (tests/test_cli_contract_run.py) -->\n```bash\n", 1)[1].split("\n```", 1)[0]
    workdir = ROOT if (ROOT / ".venv").resolve() == Path(sys.prefix).resolve() else _checkout_with_this_venv()
    process = subprocess.Popen(
        ["bash", "-e", "-c", block], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # the mock the block starts in the background dies with it, whatever happens
    )
    try:
        output, _ = process.communicate(timeout=600)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output[-4000:]
    assert re.search(r"\d+ generated, \d+ passed", output) and " failed" not in output.split("SUMMARY")[-1], output[-3000:]
    with pytest.raises(httpx.ConnectError):  # kill %1 stopped the mock
        httpx.get("http://127.0.0.1:8091/openapi.json", timeout=2)


def _checkout_with_this_venv() -> Path:
    """A directory that looks like the checkout to the block: the repository's files, `.venv` this environment."""
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="readme-contract-"))
    for name in ("contracts", "schemathesis.toml"):
        (work / name).symlink_to(ROOT / name)
    (work / ".venv").symlink_to(Path(sys.prefix))
    return work
