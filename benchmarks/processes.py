"""Server processes under test: spawned pinned to a core, awaited until they answer, measured, stopped."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    """The status of GET path, or None when nothing answers (yet)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body, headers)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the command name is in parentheses and may hold spaces: the ppid is the second field after it
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (a launcher may fork the real server)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo.extend(_children(current))
    return total


class Server:
    """One server process, pinned with taskset so it never shares a core with the load generator."""

    def __init__(self, name: str, argv: list[str], port: int, ready_path: str, log_path: Path, core: int) -> None:
        self.name, self.argv, self.port, self.ready_path = name, argv, port, ready_path
        self.log_path, self.core = log_path, core
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            # its own session, so that stop() can end the server and anything it forked, and nothing else
            self.process = subprocess.Popen(
                ["taskset", "-c", str(self.core), *self.argv], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout: float, want_200: bool = False, poll: float = 0.05) -> float:
        """Seconds from now until GET ready_path answers (any status below 500, or exactly 200)."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            status = http_status(self.port, self.ready_path)
            if status is not None and (status == 200 if want_200 else status < 500):
                return time.perf_counter() - started
            time.sleep(poll)
        raise RuntimeError(f"{self.name} did not answer GET {self.ready_path} within {timeout:.0f} s:\n{self.log_tail()}")

    def start(self, timeout: float = 120) -> float:
        self.spawn()
        return self.wait_ready(timeout)

    def rss_bytes(self) -> int:
        return tree_rss_bytes(self.process.pid) if self.process else 0

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM (the mock saves a --state file on it), then SIGKILL if it does not go."""
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()
