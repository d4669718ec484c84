"""Publishing: build the next database beside the live one and swap it in atomically.

Readers that hold the live file open (the dashboard, read-only) keep their snapshot: `os.replace`
swaps the directory entry, not the open inode. New connections see the new file. A crash
leaves only a temporary file, removed by the next load (which holds the same lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_paths(live: Path) -> list[Path]:
    """Leftovers of earlier loads (temporary databases, their WAL files and spill directories)."""
    return sorted(live.parent.glob(f"{live.name}.tmp-*")) + sorted(live.parent.glob(f"{live.name}.scratch-*"))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def exclusive_lock(live: Path) -> Iterator[None]:
    """One writer at a time per database. The lock file is removed when the writer is done,
    so nothing is left beside the database; a writer that locked a file another writer had
    just removed notices (the path no longer names its file) and locks the new one."""
    live.parent.mkdir(parents=True, exist_ok=True)
    path = live.parent / f"{live.name}.lock"
    while True:
        lock = open(path, "a")
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            same = os.stat(path).st_ino == os.fstat(lock.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        lock.close()  # removed by the previous writer after we opened it: start again
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


class Staging:
    """The next database (`path`) and a scratch directory (`scratch`) where DuckDB spills
    staging data that does not fit its memory limit."""

    def __init__(self, live: Path, fresh: bool):
        pid = os.getpid()
        self.live = live
        self.path = live.parent / f"{live.name}.tmp-{pid}"
        self.scratch = live.parent / f"{live.name}.scratch-{pid}"
        for p in temp_paths(live):  # we hold the lock: anything left is from a dead load
            _remove(p)
        if live.exists() and not fresh:
            shutil.copyfile(live, self.path)

    def discard(self) -> None:
        """Remove the staged database, the scratch directory and their WAL files, whichever still exist."""
        for p in (self.path, self.scratch, Path(f"{self.path}.wal"), Path(f"{self.scratch}.wal")):
            _remove(p)

    def publish(self) -> None:
        """Swap the staged database in: drop the scratch, fsync the file, rename it over the live one
        atomically, fsync the folder."""
        for p in (self.scratch, Path(f"{self.scratch}.wal")):
            _remove(p)
        with open(self.path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(self.path, self.live)
        _fsync_dir(self.live.parent)


@contextlib.contextmanager
def staged(live: Path, fresh: bool = False) -> Iterator[Staging]:
    """Yield a staging area under the writer lock; the caller calls `publish()` to swap it in.
    Anything not published is discarded, whatever happened."""
    with exclusive_lock(live):
        staging = Staging(live, fresh)
        try:
            yield staging
        finally:
            staging.discard()
