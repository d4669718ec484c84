"""Extract step, part 1: look at a file's bytes and header and decide how to read it.

Finds compression, encoding, delimiter and the header, and picks the adapter (source format)
from the header. Nothing here reads the body row by row: DuckDB does that.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", ";", "|", "\t")


class FileRejected(Exception):
    """A whole file is unusable. Carries where and what was expected."""

    def __init__(self, file_name: str, message: str, line: int | None = None, column: str | None = None):
        self.file_name = file_name
        self.line = line
        self.column = column
        self.message = message
        where = file_name
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


@dataclass
class FileFormat:
    """How DuckDB should read one file."""

    path: Path  # what DuckDB reads (may be a transcoded temporary copy)
    original: Path
    encoding: str  # a DuckDB encoding name: 'utf-8', 'utf-16' or 'latin-1'
    delimiter: str
    header: list[str]  # normalised header names, in file order
    raw_header: list[str]
    compressed: bool
    temp_files: list[Path] = field(default_factory=list)
    read_as: str | None = None  # set when the file was not read as UTF-8 (for the load log)

    def cleanup(self) -> None:
        """Delete the temporary copies made to read the file (e.g. a Windows-1252 file transcoded to
        UTF-8)."""
        for p in self.temp_files:
            p.unlink(missing_ok=True)


def normalise_name(name: str) -> str:
    """Header or label to a comparable key: no BOM, accents, case or surrounding spaces."""
    text = name.replace("\ufeff", "").strip().strip('"').strip()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "_".join(text.lower().split())


def _open_binary(path: Path):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb"), True
    return open(path, "rb"), False


def _decode_sample(sample: bytes, file_name: str) -> tuple[str, str]:
    """Return (duckdb encoding, decoded text of the sample)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", sample[3:].decode("utf-8", errors="replace")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", sample.decode("utf-16", errors="replace")
    if b"\x00" in sample:
        raise FileRejected(file_name, "not a CSV text file (it contains NUL bytes); expected UTF-8 or Windows-1252 text")
    try:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        return "utf-8", codecs.getincrementaldecoder("utf-8")(errors="strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252", sample.decode("cp1252", errors="replace")


def transcode_to_utf8(path: Path, file_name: str) -> Path:
    """Stream a Windows-1252 / Latin-1 file (optionally gzip) into a temporary UTF-8 file."""
    fd, tmp_name = tempfile.mkstemp(prefix="cybertrends-", suffix=".csv")
    os.close(fd)
    tmp = Path(tmp_name)
    src, _ = _open_binary(path)
    # cp1252 leaves 5 bytes undefined; map those as Latin-1 so nothing is lost.
    with src, open(tmp, "w", encoding="utf-8", newline="") as out:
        reader = io.TextIOWrapper(src, encoding="cp1252", errors="latin1_fallback", newline="")
        while chunk := reader.read(1 << 22):
            out.write(chunk)
    return tmp


def _latin1_fallback(err: UnicodeDecodeError):
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def _pick_delimiter(first_line: str) -> str:
    counts = {}
    for d in DELIMITERS:
        in_quotes = False
        n = 0
        for ch in first_line:
            if ch == '"':
                in_quotes = not in_quotes
            elif ch == d and not in_quotes:
                n += 1
        counts[d] = n
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def sniff(path: Path) -> FileFormat:
    """Detect compression, encoding, delimiter and header of `path`."""
    file_name = path.name
    if not path.exists():
        raise FileRejected(file_name, f"file not found: {path}")
    try:
        fh, compressed = _open_binary(path)
        with fh:
            sample = fh.read(SAMPLE_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FileRejected(file_name, f"cannot read the file ({exc})") from None
    if not sample.strip():
        raise FileRejected(file_name, "the file is empty; expected a header line and data rows", line=1)
    encoding, text = _decode_sample(sample, file_name)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    if not first_line.strip():
        raise FileRejected(file_name, "the first line is empty; expected a header line", line=1)
    delimiter = _pick_delimiter(first_line)
    raw_header = next(csv.reader([first_line], delimiter=delimiter))
    header = [normalise_name(h) for h in raw_header]
    fmt = FileFormat(path=path, original=path, encoding=encoding, delimiter=delimiter, header=header,
                     raw_header=raw_header, compressed=compressed)
    if encoding == "cp1252":
        use_windows_1252(fmt)
    elif encoding == "latin-1":
        fmt.read_as = "Latin-1"
    return fmt


def use_windows_1252(fmt: FileFormat) -> None:
    """Switch a format to Windows-1252: transcode to a temporary UTF-8 copy DuckDB can read."""
    tmp = transcode_to_utf8(fmt.original, fmt.original.name)
    fmt.read_as = "Windows-1252"
    fmt.temp_files.append(tmp)
    fmt.path = tmp
    fmt.encoding = "utf-8"
    fmt.compressed = False
    text = tmp.read_text(encoding="utf-8")[:SAMPLE_BYTES] if tmp.stat().st_size < SAMPLE_BYTES else _head(tmp)
    first_line = text.splitlines()[0]
    fmt.raw_header = next(csv.reader([first_line], delimiter=fmt.delimiter))
    fmt.header = [normalise_name(h) for h in fmt.raw_header]


def _head(path: Path) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read(SAMPLE_BYTES)
