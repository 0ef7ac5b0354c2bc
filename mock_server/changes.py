"""What the backend changed, in order: a revision number and a bounded log, so the journal can say which state
change each request caused.

Recording is on the write path, so it is one list append of a tuple, and a request takes its changes as a
slice of those tuples; the readable form (`readable`) is built only when someone reads the journal. The
revision is the count of changes ever recorded: a request's changes are those between the revision before it
and the revision after it.
"""

from __future__ import annotations

import threading
from typing import Any

Change = tuple[str, str, Any, Any]  # kind, action, key, summary
MAX_SUMMARY_CHARS = 200  # a 1 MiB event name, updated 300 times, must not be kept 300 times


class ChangeLog:
    """kind: event / contact / subscriber; action: created / updated / the subscriber state recorded;
    key: objectId, vid, or (objectId, vid); summary: a name or an email, for people reading it."""

    def __init__(self, lock: threading.RLock, size: int = 10_000) -> None:
        self._lock = lock  # the backend's: records happen under it, reads take it
        self._size = size
        self._items: list[Change] = []
        self._dropped = 0  # changes trimmed from the front: revision = dropped + len(items)

    def record(self, kind: str, action: str, key: Any, summary: Any) -> None:
        if type(summary) is str and len(summary) > MAX_SUMMARY_CHARS:
            summary = summary[:MAX_SUMMARY_CHARS] + "..."
        self._items.append((kind, action, key, summary))
        if len(self._items) > 2 * self._size:  # trim in halves: amortised O(1), and indexes stay plain
            drop = len(self._items) - self._size
            del self._items[:drop]
            self._dropped += drop

    @property
    def revision(self) -> int:
        return self._dropped + len(self._items)

    def since(self, revision: int, limit: int) -> tuple[list[Change], int]:
        """The first `limit` changes after `revision` (those still held), and how many there were in all."""
        with self._lock:
            start = max(revision - self._dropped, 0)
            return self._items[start : start + limit], self.revision - revision


def readable(change: Change) -> dict[str, str]:
    kind, action, key, summary = change
    key = "/".join(map(str, key)) if isinstance(key, tuple) else str(key)
    return {"kind": kind, "action": action, "key": key, "summary": "" if summary is None else str(summary)}
