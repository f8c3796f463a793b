"""Line reading for text inputs that may be plain, gzip or bgzip, with clear errors.

Yields (1-based line number, line without newline). Text is UTF-8, a leading byte-order mark allowed
(dropped). An empty file, a truncated or corrupt gzip stream and undecodable bytes become
`InputFormatError` naming the file and the line (an undecodable byte: its own line and column).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from utr_assets.common.errors import InputFormatError

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputFormatError(path, "file is empty")
    opener = gzip.open if is_gzip(path) else open
    number = 0
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):  # noqa: B007 - number is reported on error
                try:  # line by line, so an undecodable byte is reported on its own line
                    line = raw.decode("utf-8-sig" if number == 1 else "utf-8")  # a leading BOM is allowed
                except UnicodeDecodeError as exc:
                    raise InputFormatError(
                        path,
                        f"not UTF-8 text: byte {raw[exc.start : exc.start + 1]!r} at column "
                        f"{exc.start + 1} ({exc.reason})",
                        number,
                    ) from exc
                yield number, line.rstrip("\r\n")
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputFormatError(
            path, f"compressed stream is truncated or corrupt after line {number} ({exc})", number + 1
        ) from exc
    if number == 0:
        raise InputFormatError(path, "file is empty (no lines after decompression)")


def read_text(path: str | Path) -> str:
    """A whole (small) text file as UTF-8, a leading BOM allowed; an undecodable byte names file and line."""
    path = Path(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFormatError(
            path,
            f"not UTF-8 text: byte {data[exc.start : exc.start + 1]!r} ({exc.reason}); "
            "save the file as UTF-8",
            line,
        ) from exc
