"""State files (--state FILE): a Backend.snapshot() image, written so that a crash never loses it.

The file is JSON lines (backend/persistence.image_lines): the image without its contacts and participations, then those
in chunks of 10,000, so that restoring a million records parses one chunk at a time instead of the whole state
at once (a single-document file, as older versions wrote, loads too). save_snapshot writes to a temporary file
in the target's directory, syncs it to disk and renames it over the target: a reader (or a restart after a
crash at any point) sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import orjson

from .backend.persistence import check_snapshot_format, image_from_lines, image_lines

if TYPE_CHECKING:
    from .backend import Backend


def save_snapshot(backend: "Backend", path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write the backend's state to `path` atomically; return the image written."""
    image = backend.snapshot()
    # Serialised before touching the disk: a state that cannot be serialised writes nothing.
    data = b"".join(orjson.dumps(line) + b"\n" for line in image_lines(image))
    target = Path(path)
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
    return image


def restore_snapshot(backend: "Backend", path: str | os.PathLike[str]) -> None:
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
