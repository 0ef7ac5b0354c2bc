"""State files (--state FILE): a Backend.snapshot() image, written so that a crash never loses it.

The file is JSON lines (models.image_lines): the image without its contacts and participations, then those
in chunks of 10,000, so that restoring a million records parses one chunk at a time instead of the whole state
at once (a single-document file, as older versions wrote, loads too). Every save writes to a temporary file
`.<name>.<8 random characters>.tmp` in the target's directory, syncs it to disk and renames it over the target:
a reader (or a restart after a crash at any point) sees the old file or the new one, never a mix. A crash
between the write and the rename leaves the temporary file behind; remove_stale_temporaries clears those at start.

A running mock saves with save_state: a copy of the state is taken under the backend's lock (tens of ms for
250,000 records: references and the few mutable parts, no conversion), and the image is built, serialised and
written in a worker thread, so requests go on while a large state is saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import ctypes
import gc
import itertools
import os
import re
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import orjson

from .backend import Backend, Participation, Portal
from .backend.persistence import check_snapshot_format, image_from_lines, image_lines

if TYPE_CHECKING:
    from .backend import MarketingEvent

CHUNK = 10_000  # records per line of a state file, and per serialisation call of an answered image
_TEMPORARY = "abcdefghijklmnopqrstuvwxyz0123456789_"  # the characters of tempfile's random names


def save_snapshot(backend: Backend, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write the backend's state to `path` atomically, in the calling thread; return the image written."""
    image = backend.snapshot()
    _write_atomically(_state_file_bytes(image), Path(path))  # serialised first: an unserialisable state writes nothing
    return image


async def save_state(backend: Backend, path: str | os.PathLike[str] | None, *, answer: bool = True) -> bytes | None:
    """Save the state to `path` (when given) from a running event loop, without stalling it for the length of
    the save; return the image as JSON when `answer`.

    Only the copy is taken on the loop, under the backend's lock; the rest runs in a thread. Saves to one file
    land in the order their copies were taken, so a slower, older save never overwrites a newer one.
    """
    state = _StateCopy.take(backend)
    return await asyncio.to_thread(state.finish, None if path is None else Path(path), answer)


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files that saves to `path` left behind when the process died mid-save (only names of
    the mock's own pattern, `.<name>.<8 characters>.tmp`, next to the file); return those removed."""
    target = Path(path)
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[{_TEMPORARY}]{{8}}\.tmp")
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for entry in target.parent.iterdir():
            if pattern.fullmatch(entry.name) and entry.is_file():
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


# ---------------------------------------------------------------------------------------------- the copy
_changes_of = attrgetter("changes")
_generations = itertools.count(1)
_write_lock = threading.Lock()
_last_written: dict[Path, int] = {}


@dataclass
class _StateCopy:
    """The state at one instant, detached from the backend, taken in one pass under its lock.

    Contacts (a CRM update replaces the object), lists, participation ids and times are never changed once made,
    so their objects are shared; what a later write changes in place is copied: event fields, custom properties
    and list ids, the set of participations and each one's (immutable) tuple of state changes, property
    definitions, tokens, developer keys, app settings, the id counters.
    """

    backend: Backend
    portals: list[tuple[Portal, list[tuple["MarketingEvent", list[Participation], list[Any]]]]]
    tokens: dict[str, Any]
    counters: tuple[int, int, int]
    generation: int
    developer_keys: dict[str, frozenset[int]]
    event_details_urls: dict[int, str]

    @classmethod
    def take(cls, backend: Backend) -> "_StateCopy":
        with backend._lock:
            portals = []
            for portal in backend.portals.values():
                events = []
                for event in portal.events.values():
                    shell = copy.copy(event)
                    shell.custom_properties = dict(event.custom_properties)
                    shell.list_ids = list(event.list_ids)
                    members = list(event.participations.values())
                    events.append((shell, members, list(map(_changes_of, members))))
                copied = Portal(
                    portal.portal_id, set(portal.property_definitions), lists=dict(portal.lists), contacts=dict(portal.contacts)
                )
                portals.append((copied, events))
            counters = tuple(backend.peek_counter(name) for name in ("_vids", "_object_ids", "_participation_ids"))
            return cls(
                backend, portals, dict(backend.tokens), counters, next(_generations),  # type: ignore[arg-type]
                dict(backend.developer_keys), dict(backend.event_details_urls),
            )

    def image(self) -> dict[str, Any]:
        """Backend.snapshot() of the copy, through a detached backend: one definition of the image."""
        detached = Backend(self.backend.settings, self.backend.clock)
        for portal, events in self.portals:
            for shell, members, changes in events:
                shell.participations = {
                    m.vid: Participation(m.vid, m.id_value, m.created_at, c) for m, c in zip(members, changes)
                }
                portal.events[shell.object_id] = shell
        detached.portals = {portal.portal_id: portal for portal, _ in self.portals}
        detached.tokens = self.tokens
        detached.developer_keys, detached.event_details_urls = self.developer_keys, self.event_details_urls
        detached._vids, detached._object_ids, detached._participation_ids = (itertools.count(n) for n in self.counters)
        try:
            return detached.snapshot()
        finally:
            for _, events in self.portals:  # the records made above, dropped a slice at a time (see _free_gradually)
                for shell, _, _ in events:
                    while shell.participations:
                        for _ in range(min(1000, len(shell.participations))):
                            shell.participations.popitem()

    def finish(self, path: Path | None, answer: bool) -> bytes | None:
        with _light_on_the_loop():
            image = self.image()
            data = None if path is None else _state_file_bytes(image)
            answered = image_json(image) if answer else None
            _free_gradually(image)
        if path is not None and data is not None:
            with _write_lock:
                key = path.resolve()
                if _last_written.get(key, 0) < self.generation:  # else a newer copy is on disk already
                    _write_atomically(data, path)
                    _last_written[key] = self.generation
        return answered


_saving = 0
_saving_lock = threading.Lock()
_restore: tuple[bool, float] = (True, 0.005)  # gc enabled, switch interval: as they were before the first save


@contextlib.contextmanager
def _light_on_the_loop() -> Iterator[None]:
    """While a save's thread builds and serialises an image, two things that would stop the event loop's thread
    are changed, and restored when the last save ends:

    - no garbage collection: the image is a million or so new containers, which CPython counts towards a full
      collection; one would run in the middle of the save, holding the GIL for as long as it takes to scan
      them all. The image is freed by reference counting (a slice at a time) before collection resumes;
    - a shorter GIL switch interval (0.5 ms instead of 5): the loop's thread waits that long for the GIL
      after each of its system calls while the save's thread holds it.
    """
    global _saving, _restore
    with _saving_lock:
        if _saving == 0:
            _restore = (gc.isenabled(), sys.getswitchinterval())
            gc.disable()
            sys.setswitchinterval(min(_restore[1], 0.0005))
        _saving += 1
    try:
        yield
    finally:
        with _saving_lock:
            _saving -= 1
            if _saving == 0:
                collecting, interval = _restore
                sys.setswitchinterval(interval)
                if collecting:
                    gc.enable()


def image_json(image: dict[str, Any]) -> bytes:
    """orjson.dumps(image), serialised CHUNK records at a time: orjson holds the GIL for the whole of one call,
    so a single call over a quarter of a million records would stop the event loop's thread while it ran. The
    image's small remainder is serialised with a marker where each list of records goes, and the records are
    spliced in there."""
    marker = f"records-{uuid.uuid4().hex}"
    lists: list[list[Any]] = []

    def spliced(records: list[Any]) -> str:
        lists.append(records)
        return marker

    shell = {
        **image,
        "portals": [
            {
                **p,
                "contacts": spliced(p["contacts"]),
                "events": [{**e, "participations": spliced(e["participations"])} for e in p["events"]],
            }
            for p in image["portals"]
        ],
    }
    parts = orjson.dumps(shell).split(orjson.dumps(marker))
    pieces = [parts[0]]
    for records, after in zip(lists, parts[1:]):
        pieces.append(b"[")
        for start in range(0, len(records), CHUNK):
            pieces += [b"," if start else b"", orjson.dumps(records[start : start + CHUNK])[1:-1]]
        pieces += [b"]", after]
    return b"".join(pieces)


def _free_gradually(image: dict[str, Any]) -> None:
    """Drop an image's records a slice at a time. Dropping the image at once frees a million objects in one
    call that never lets go of the GIL: the event loop would wait out the whole of it (a quarter of a second
    at 250,000 records)."""
    for portal in image["portals"]:
        for records in (portal["contacts"], *(e["participations"] for e in portal["events"])):
            while records:
                del records[-1000:]


# ---------------------------------------------------------------------------------------------- the file
def _state_file_bytes(image: dict[str, Any]) -> bytes:
    return b"".join(orjson.dumps(line) + b"\n" for line in image_lines(image, CHUNK))


def _write_atomically(data: bytes, target: Path) -> None:
    directory = target.parent
    directory.mkdir(parents=True, exist_ok=True)
    # Same directory, so that os.replace is a rename within one filesystem (atomic); a crash between the
    # write and the rename leaves this `.name.*.tmp` file behind and the target as it was.
    tmp = tempfile.NamedTemporaryFile(dir=directory, prefix=f".{target.name}.", suffix=".tmp", delete=False)
    try:
        with tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    _fsync_directory(directory)  # make the rename itself durable


def restore_snapshot(backend: Backend, path: str | os.PathLike[str]) -> None:
    """Replace the backend's state with a state file's, reading it a line at a time. ValueError (naming the
    file) when it is not a snapshot; the backend is unchanged then."""
    with _opened(path) as (header, chunks):
        backend.restore(header, consume=True, chunks=chunks)
    _release_free_memory()


def load_snapshot(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a state file into one snapshot image (as Backend.snapshot() gives it). ValueError (naming the file)
    when it is not JSON or not a snapshot; the structure is checked in full by Backend.restore."""
    with _opened(path) as (header, chunks):
        return image_from_lines(header, chunks)


@contextlib.contextmanager
def _opened(path: str | os.PathLike[str]) -> Iterator[tuple[Any, Iterator[Any]]]:
    """The file's first value, its format checked, and the rest, parsed as they are read. A ValueError about
    the content names the file."""
    try:
        with open(path, "rb") as lines:
            values = _parsed(lines)
            header = next(values, None)
            check_snapshot_format(header)
            yield header, values
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _parsed(lines: Iterable[bytes]) -> Iterator[Any]:
    for number, line in enumerate(lines, start=1):
        try:
            yield orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON (line {number}): {exc}") from None


def _release_free_memory() -> None:
    """Give the heap that parsing freed back to the OS (glibc keeps it for reuse otherwise; with a million
    records that is tens of MB the mock would never use again). Nothing to do where there is no malloc_trim."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _fsync_directory(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory; its rename is durable enough for a mock
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
