"""The four servers compared, each started the way its users start it.

- mock:     `hubspot-mock --port N --seed benchmarks/seed.yaml`, the installed console script, default settings.
- ceiling:  benchmarks/ceiling.py, a bare Starlette app under the mock's own uvicorn config, answering 40 bytes.
- equal-io: the same app answering the mock's own recorded answers (status, body, headers): equal I/O.
- prism:    `prism mock openapi/marketing-events.yaml` (@stoplight/prism-cli, pinned in benchmarks/package.json),
            default flags: static examples (no --dynamic), request validation, info logging.
- wiremock: `java -jar wiremock-standalone.jar` (npm `wiremock`, pinned) with benchmarks/wiremock/mappings/:
            static stubs holding the mock's own answers; default JVM heap and WireMock options (its request
            journal is on and unbounded by default).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from processes import Server, free_port
from workload import BENCH_DIR, SEED

REPO = BENCH_DIR.parent
SPEC = REPO / "openapi" / "marketing-events.yaml"
NODE_MODULES = BENCH_DIR / "node_modules"
PRISM_JS = NODE_MODULES / "@stoplight" / "prism-cli" / "dist" / "index.js"
WIREMOCK_ROOT = BENCH_DIR / "wiremock"
CONTENDERS = ("mock", "ceiling", "equal-io", "prism", "wiremock")
ANSWERS_FILE = "equal-io-answers.json"  # in the run's work directory, recorded from the mock before equal-io starts


@dataclass
class Launch:
    argv: list[str]
    ready_path: str


def venv_script(name: str) -> Path:
    """A console script of the environment running the benchmark (the one `pip install -e .` put there)."""
    return Path(sys.executable).parent / name


def mock_launch(port: int, extra: list[str] = ()) -> Launch:
    return Launch([str(venv_script("hubspot-mock")), "--port", str(port), "--seed", str(SEED), *extra], "/openapi.json")


def ceiling_launch(port: int) -> Launch:
    return Launch([sys.executable, str(BENCH_DIR / "ceiling.py"), "--port", str(port)], "/")


def equal_io_launch(port: int, work: Path) -> Launch:
    answers = work / ANSWERS_FILE
    if not answers.exists():
        raise FileNotFoundError("equal-io needs the mock's recorded answers: the mock must start first")
    return Launch([sys.executable, str(BENCH_DIR / "ceiling.py"), "--port", str(port), "--answers", str(answers)], "/")


def prism_launch(port: int) -> Launch:
    node = shutil.which("node")
    if node is None or not PRISM_JS.exists():
        raise FileNotFoundError("Prism is not installed: run benchmarks/setup.sh (npm ci in benchmarks/)")
    return Launch([node, str(PRISM_JS), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)], "/")


def wiremock_jar() -> Path:
    jars = sorted((NODE_MODULES / "wiremock").glob("**/wiremock-standalone-*.jar"))
    if not jars:
        raise FileNotFoundError("WireMock is not installed: run benchmarks/setup.sh (npm ci in benchmarks/)")
    return jars[-1]


def wiremock_launch(port: int, jvm_args: list[str] = ()) -> Launch:
    java = shutil.which("java")
    if java is None:
        raise FileNotFoundError("WireMock needs java (17 or later) on the PATH")
    argv = [java, *jvm_args, "-jar", str(wiremock_jar()), "--port", str(port), "--root-dir", str(WIREMOCK_ROOT), "--disable-banner"]
    return Launch(argv, "/__admin/health")


def launcher(name: str, wiremock_jvm_args: list[str], work: Path) -> Callable[[int], Launch]:
    return {
        "mock": mock_launch,
        "ceiling": ceiling_launch,
        "equal-io": lambda port: equal_io_launch(port, work),
        "prism": prism_launch,
        "wiremock": lambda port: wiremock_launch(port, wiremock_jvm_args),
    }[name]


def server(name: str, logs: Path, core: int, wiremock_jvm_args: list[str] = ()) -> Server:
    port = free_port()
    launch = launcher(name, list(wiremock_jvm_args), logs)(port)
    return Server(name, launch.argv, port, launch.ready_path, logs / f"{name}.log", core)


def version(name: str) -> str:
    """The version of what is measured, for the report."""
    from importlib.metadata import version as dist_version

    if name in ("mock", "ceiling", "equal-io"):
        return f"uvicorn {dist_version('uvicorn')}, starlette {dist_version('starlette')}"
    if name == "prism":
        import json

        return "prism-cli " + json.loads((PRISM_JS.parent.parent / "package.json").read_text())["version"]
    return wiremock_jar().stem.replace("wiremock-standalone-", "wiremock ")
