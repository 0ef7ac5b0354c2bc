"""The README's commands, run as written: every code block is marked either as one a test runs or as an example,
and the ones marked to run do, in a throwaway directory, against a mock of their own on a free port (the
README's port 8090 is that port here).

Markers, on the line before a block: `<!-- readme: runs -->` (a bash or Python block against a running mock; a
console transcript whose commands must print what it shows; a YAML seed the mock must start with),
`<!-- readme: serves -->` (a bash block whose last command starts the mock), `<!-- readme: first-command -->`
(the install-and-start command, in a copy of the repository), `<!-- readme: example ... -->` (not run: it needs a
portal, or is an answer, not a command), and `<!-- test-command ... -->` (CI runs it: .ci/run).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.testing import serve_in_thread

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
MARKER = re.compile(r"<!-- (readme: (?P<kind>[\w-]+)|test-command)(?P<rest>[^>]*)-->")


@dataclass(frozen=True)
class Block:
    line: int
    language: str
    kind: str  # runs, serves, first-command, example, test-command
    note: str
    text: str

    @property
    def id(self) -> str:
        return f"line-{self.line}-{self.language}"


def blocks() -> list[Block]:
    lines = README.read_text(encoding="utf-8").split("\n")
    found, i = [], 0
    while i < len(lines):
        fence = re.fullmatch(r"```(\w+)", lines[i])
        if not fence:
            i += 1
            continue
        end = lines.index("```", i + 1)
        marker = MARKER.fullmatch(lines[i - 1].strip()) if i else None
        kind = "unmarked" if marker is None else (marker.group("kind") or "test-command")
        note = "" if marker is None else marker.group("rest").strip()
        found.append(Block(i + 1, fence.group(1), kind, note, "\n".join(lines[i + 1 : end])))
        i = end + 1
    return found


BLOCKS = blocks()


def of_kind(*kinds: str) -> list[Block]:
    return [b for b in BLOCKS if b.kind in kinds]


def test_every_block_is_marked_as_run_or_as_an_example():
    assert [b.id for b in BLOCKS if b.kind not in ("runs", "serves", "first-command", "example", "test-command")] == []
    assert len(of_kind("test-command")) == 1 and len(of_kind("first-command")) == 1


def test_ci_runs_the_test_command_the_readme_shows():
    (block,) = of_kind("test-command")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command" in ci and 'bash -c "$cmd"' in ci  # .ci/run takes the line after the marker
    assert block.text.startswith("python3 -m venv .venv && .venv/bin/pip install -e '.[test]'") and "pytest" in block.text


# ---------------------------------------------------------------------------------------------- helpers
@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A throwaway directory that looks like a checkout to the README's commands: `.venv` is this test's
    environment, `contracts/` the repository's."""
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    (tmp_path / "contracts").symlink_to(ROOT / "contracts")
    return tmp_path


@pytest.fixture
def mock_url() -> Iterator[str]:
    with serve_in_thread(create_app(Settings())) as url:
        yield url


def on_port(text: str, url: str) -> str:
    return text.replace("127.0.0.1:8090", url.removeprefix("http://")).replace("localhost:8090", url.removeprefix("http://"))


def environment(port: int | str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_MOCK_")}
    return {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "HUBSPOT_MOCK_PORT": str(port)}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    output: list[str]


def start_serving(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 60) -> Served:
    """Run a command that ends by serving the mock; return once its banner names the URL."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        banner = re.search(r"HubSpot Marketing Events mock .* on (http://\S+)", line)
        if banner:
            return Served(process, banner.group(1), output)
    stop(process)
    raise AssertionError("the mock did not start:\n" + "".join(output)[-4000:])


def stop(process: subprocess.Popen[str]) -> None:
    with __import__("contextlib").suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---------------------------------------------------------------------------------------------- the blocks
# What a block must print, beyond running to the end without an error (keyed by a line it contains).
EXPECTED = {
    "participations/contacts/ada@example.com/breakdown": ['"attendanceState":"ATTENDED"', '"attendanceDurationSeconds":2700', '"total":1'],
    "print(client.marketing.events.basic_api.get_all(limit=10))": ["'results': []"],
    "get_participations_counters_by_marketing_event_id": ["'registered': 1"],
    "hs.participation_counters(event.object_id)": ["registered=1"],
}


@pytest.mark.parametrize("block", [b for b in of_kind("runs") if b.language in ("bash", "python") and "test_cli_contract_run" not in b.note], ids=lambda b: b.id)
def test_a_runnable_block_runs_as_written(block: Block, workdir: Path, mock_url: str):
    text = on_port(block.text, mock_url)
    if block.language == "bash":
        command = ["bash", "-euo", "pipefail", "-c", text]
    else:
        command = [sys.executable, "-c", text]
    run = subprocess.run(command, cwd=workdir, env=environment(mock_url.rpartition(":")[2]), capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for line, wanted in EXPECTED.items():
        if line in block.text:
            for text_shown in wanted:
                assert text_shown in run.stdout, (text_shown, run.stdout[-3000:])


def test_the_contract_block_is_run_by_its_own_test():
    (block,) = [b for b in of_kind("runs") if "test_cli_contract_run" in b.note]
    assert "README" in (ROOT / "tests" / "test_cli_contract_run.py").read_text()  # it runs the block from here
    assert "schemathesis run" in block.text


@pytest.mark.parametrize("block", [b for b in of_kind("runs") if b.language == "console"], ids=lambda b: b.id)
def test_a_transcript_prints_what_it_shows(block: Block, workdir: Path):
    """Each `$ command` runs; every line shown after it must be in what it printed."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.text.split("\n"):
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line.strip():
            steps[-1][1].append(line)
    assert steps
    for command, shown in steps:
        run = subprocess.run(["bash", "-c", command], cwd=workdir, env=environment(0), capture_output=True, text=True, timeout=60)
        printed = run.stdout + run.stderr
        for line in shown:
            assert line.strip() in printed, (command, line, printed[-2000:])
        assert "Traceback" not in printed


def test_the_seed_shown_starts_the_mock_with_what_it_holds(workdir: Path):
    (block,) = [b for b in of_kind("runs") if b.language == "yaml"]
    (workdir / "seed.yaml").write_text(block.text)
    served = start_serving([str(BIN / "hubspot-mock"), "--seed", "seed.yaml"], workdir, environment(0))
    try:
        auth = {"Authorization": "Bearer any-token"}
        found = httpx.get(f"{served.url}/marketing/v3/marketing-events/webinar-1/identifiers", headers=auth).json()
        assert found["total"] == 1 and found["results"][0]["marketingEventName"] == "Launch"
        assert httpx.get(f"{served.url}/marketing/v3/marketing-events/1/settings", params={"hapikey": "dev-key-1"}).status_code == 404
        assert httpx.get(f"{served.url}/marketing/v3/marketing-events/2/settings", params={"hapikey": "dev-key-1"}).status_code == 403
        expired = httpx.get(f"{served.url}/marketing/v3/marketing-events", headers={"Authorization": "Bearer pat-expired"})
        assert expired.status_code == 401
    finally:
        stop(served.process)


@pytest.mark.parametrize("block", of_kind("serves"), ids=lambda b: b.id)
def test_a_block_that_starts_the_mock_starts_it(block: Block, workdir: Path):
    served = start_serving(["bash", "-euo", "pipefail", "-c", block.text], workdir, environment(free_port()))
    try:
        assert httpx.get(f"{served.url}/openapi.json").status_code == 200
        assert httpx.get(f"{served.url}/__mock/faults").json(), "the faults file armed nothing"
    finally:
        stop(served.process)


def test_the_first_command_installs_and_starts_the_mock_from_a_copy_of_the_repository(tmp_path: Path):
    """The first screen's first command, in a fresh copy of the repository (a new venv, pip install from the
    project's own files: what a new user runs)."""
    (block,) = of_kind("first-command")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    served = start_serving(["bash", "-euo", "pipefail", "-c", block.text], tmp_path, environment(0), timeout=600)
    try:
        assert httpx.get(f"{served.url}/openapi.json").json()["paths"]
    finally:
        stop(served.process)
