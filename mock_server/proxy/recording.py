"""Recordings: the exchanges of a proxied run as JSON lines, redacted, to replay offline (`hubspot-mock replay`).

The first line says what the file is and where it was recorded; each further line is one exchange (request,
upstream answer, timing), in the order the upstream answered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Iterator

from .exchange import Exchange

FORMAT_KEY = "hubspot_mock_recording"
FORMAT_VERSION = 1


class Recorder:
    def __init__(self, path: str, *, upstream: str, hash_emails: bool) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8")
        self._write({FORMAT_KEY: FORMAT_VERSION, "upstream": upstream, "hash_emails": hash_emails})

    def write(self, exchange: Exchange) -> None:
        self._write(exchange.to_data())

    def _write(self, data: dict[str, object]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._file.flush()  # a killed proxy still leaves every exchange it answered

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Recording:
    """A recording read back: where it was made, and its exchanges."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.upstream = "a recording"
        self.exchanges: list[Exchange] = list(self._read())

    def _read(self) -> Iterator[Exchange]:
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    if isinstance(data, dict) and FORMAT_KEY in data:
                        self.upstream = str(data.get("upstream", self.upstream))
                        continue
                    yield Exchange.from_data(data)
                except ValueError as exc:
                    raise ValueError(f"{self.path}:{number}: not a recorded exchange ({exc})") from None
