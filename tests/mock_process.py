"""The `hubspot-mock` command as a user runs it, for the tests of the process: a real subprocess on a free port,
its output drained all along, and raw HTTP/1.1 over a socket where a client library would hide the bytes."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMMAND = str(BIN / "hubspot-mock")


def run_command(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`hubspot-mock ARGS` to completion (a sub-command, or serve with a mistake that stops it)."""
    return subprocess.run([COMMAND, *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=timeout)


class MockProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None, preexec_fn: Callable[[], Any] | None = None) -> None:
        self.proc = subprocess.Popen(
            [COMMAND, "--port", "0", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, preexec_fn=preexec_fn,
        )
        assert self.proc.stdout is not None
        self.output: list[str] = []
        banner = ""
        for line in self.proc.stdout:  # warnings on stderr may come before the banner
            self.output.append(line)
            banner = line
            if "HubSpot Marketing Events mock" in line:
                break
        found = re.search(r"on (http://\S+)", banner)
        if not found:
            self.proc.kill()
            pytest.fail("".join(self.output) + self.proc.stdout.read())
        self.url = found.group(1)
        self.host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self.port = int(port)
        # drained all along, so a chatty debug log can never fill the pipe and stall the server
        self.reader = threading.Thread(target=lambda: self.output.extend(self.proc.stdout or ()), daemon=True)
        self.reader.start()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> str:
        """Signal the process, wait for it, and return everything it printed."""
        self.proc.send_signal(sig)
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=5)
        return "".join(self.output)

    def state(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/__mock/state").json()

    def connect(self) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=10)

    def rss_mb(self) -> float:
        """The server's resident memory (Linux /proc, else ps)."""
        status = Path(f"/proc/{self.proc.pid}/status")
        if status.exists():
            return int(status.read_text().split("VmRSS:")[1].split()[0]) / 1024
        return int(subprocess.check_output(["ps", "-o", "rss=", "-p", str(self.proc.pid)]).strip()) / 1024


@contextmanager
def mock_process(*args: str, **options: Any) -> Iterator[MockProcess]:
    process = MockProcess(*args, **options)
    try:
        yield process
    finally:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


def request_bytes(method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
    """One HTTP/1.1 request, as a client writes it (header names with underscores become dashes)."""
    lines = [f"{method} {path} HTTP/1.1", "Host: mock", "Authorization: Bearer pat-process-tests"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_responses(sock: socket.socket, count: int) -> list[httpx.Response]:
    """Up to `count` responses from a raw socket, in the order they arrived (fewer if the server closes)."""
    buffer = b""
    responses: list[httpx.Response] = []
    while len(responses) < count:
        head_end = buffer.find(b"\r\n\r\n")
        if head_end >= 0:
            status_line, *header_lines = buffer[:head_end].decode("latin-1").split("\r\n")
            headers = [tuple(line.split(": ", 1)) for line in header_lines]
            length = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
            if len(buffer) >= head_end + 4 + length:
                body = buffer[head_end + 4 : head_end + 4 + length]
                responses.append(httpx.Response(int(status_line.split()[1]), headers=headers, content=body))
                buffer = buffer[head_end + 4 + length :]
                continue
        chunk = sock.recv(65536)
        if not chunk:
            break
        buffer += chunk
    return responses


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """Whether the server closes the connection within `timeout` (whatever it sent first is read and dropped)."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except (TimeoutError, socket.timeout):
        return False


def is_closed(sock: socket.socket) -> bool:
    """Whether the server has closed the connection already (without waiting)."""
    sock.setblocking(False)
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
    finally:
        sock.setblocking(True)
