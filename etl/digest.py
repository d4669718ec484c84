"""A file's sha256, computed in a background thread (hashlib releases the GIL) while the process
does other work: first the import of the libraries a load needs (`python -m etl load` starts the
digest of its first file before it imports them), then DuckDB's read of the file.

Kept free of heavy imports so that the command line can start a digest before it loads DuckDB.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

_STARTED: dict[tuple[str, tuple[int, int, int]], Digest] = {}


def sha256_of(path: Path) -> str:
    """The hex sha256 of the file's bytes (read in 4 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(path: Path) -> tuple[int, int, int]:
    """Size, modification time and inode: a file rewritten or appended to changes at least one."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


class Digest:
    """sha256 of a file, computed in a background thread; `result()` waits for it."""

    def __init__(self, path: Path):
        self._value: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            self._value = sha256_of(path)
        except BaseException as exc:  # re-raised by result()
            self._error = exc

    def result(self, raise_errors: bool = True) -> str | None:
        """The hex digest, once computed (None if it failed and `raise_errors` is false)."""
        self._thread.join()
        if self._error is not None and raise_errors:
            raise self._error
        return self._value


def prestart(path: Path) -> None:
    """Start the digest of `path` now, for a later `start` of the same, unchanged file."""
    try:
        key = (os.path.realpath(path), fingerprint(path))
    except OSError:
        return  # the load says what is wrong with the file
    _STARTED.setdefault(key, Digest(Path(path)))


def start(path: Path, print_: tuple[int, int, int]) -> Digest:
    """The digest of `path`, whose fingerprint is `print_` now: the one `prestart` began if the
    file has not changed since, else a new one."""
    return _STARTED.pop((os.path.realpath(path), print_), None) or Digest(path)
