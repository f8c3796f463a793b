"""Byte-level access to MAF files: compression detection, streaming decompression, BGZF random access.

What belongs here: turning a path (plain, gzip or bgzip) into a stream of uncompressed byte chunks,
and into ``read(offset, length)`` over *uncompressed* offsets for plain and bgzip files. Nothing here
knows MAF syntax; see ``reader.py``.

Offsets are always offsets into the uncompressed text. For bgzip the member table (compressed offset,
uncompressed offset) of every BGZF member maps them back, like ``bgzip``'s ``.gzi`` index. Plain gzip
has no random access: callers stream it.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from utr_assets.alignments.errors import MafFormatError

CHUNK = 8 << 20
_BGZF_MAGIC = b"\x1f\x8b\x08\x04"


def detect_compression(path: str | Path) -> str:
    """``"plain"``, ``"gzip"`` or ``"bgzip"`` (gzip whose first member carries the BGZF ``BC`` field)."""
    with open(path, "rb") as f:
        head = f.read(18)
    if head[:2] != b"\x1f\x8b":
        return "plain"
    if head[:4] == _BGZF_MAGIC and len(head) == 18 and head[12:14] == b"BC":
        return "bgzip"
    return "gzip"


def _gzip_chunks(path: Path) -> Iterator[bytes]:
    """Decompress a (multi-member) gzip stream; a truncated or corrupt stream is an error."""
    d = zlib.decompressobj(wbits=31)
    fed = False  # whether the current member has received any input
    with open(path, "rb") as f:
        while raw := f.read(CHUNK):
            while raw:
                fed = True
                try:
                    out = d.decompress(raw)
                except zlib.error as exc:
                    raise MafFormatError(path, f"corrupt gzip data ({exc})") from exc
                if out:
                    yield out
                if d.eof:
                    raw = d.unused_data
                    d, fed = zlib.decompressobj(wbits=31), False
                else:
                    raw = b""
    if fed and not d.eof:
        raise MafFormatError(path, "truncated gzip stream (unexpected end of file)")


def iter_bgzf_members(path: Path) -> Iterator[tuple[int, bytes]]:
    """(compressed offset, uncompressed data) per BGZF member; checks sizes and CRC."""
    with open(path, "rb") as f:
        coff = 0
        while True:
            head = f.read(18)
            if not head:
                return
            if len(head) < 18 or head[:4] != _BGZF_MAGIC or head[12:14] != b"BC":
                raise MafFormatError(path, f"truncated or non-BGZF member at compressed offset {coff}")
            bsize = struct.unpack("<H", head[16:18])[0] + 1
            rest = f.read(bsize - 18)
            if len(rest) < bsize - 18:
                raise MafFormatError(path, f"truncated gzip stream in BGZF member at offset {coff}")
            try:
                data = zlib.decompress(rest[:-8], -15)
            except zlib.error as exc:
                raise MafFormatError(path, f"corrupt BGZF member at offset {coff} ({exc})") from exc
            crc, isize = struct.unpack("<II", rest[-8:])
            if isize != len(data) or crc != zlib.crc32(data):
                raise MafFormatError(path, f"BGZF member at offset {coff} fails its size/CRC check")
            yield coff, data
            coff += bsize


def iter_chunks(path: str | Path, compression: str | None = None) -> Iterator[bytes]:
    """Uncompressed byte chunks of the whole file, in order."""
    path = Path(path)
    compression = compression or detect_compression(path)
    if compression == "plain":
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    elif compression == "bgzip":
        for _, data in iter_bgzf_members(path):
            if data:
                yield data
    else:
        yield from _gzip_chunks(path)


class RandomAccess:
    """``read(offset, length)`` over uncompressed offsets of a plain or bgzip file."""

    def __init__(self, path: str | Path, compression: str, members: np.ndarray | None = None):
        self.path = Path(path)
        self.compression = compression
        if compression == "gzip":
            raise ValueError(f"{path}: plain gzip has no random access; recompress with bgzip or stream it")
        self._fd = os.open(self.path, os.O_RDONLY)
        # members: int64 array (n, 2) of (compressed offset, uncompressed offset), bgzip only
        self._members = members
        self._cache: tuple[int, bytes] | None = None  # (member index, data)
        self.bytes_read = 0

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> RandomAccess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, offset: int, length: int) -> bytes:
        self.bytes_read += length
        if self.compression == "plain":
            return os.pread(self._fd, length, offset)
        assert self._members is not None
        uoffs = self._members[:, 1]
        i = int(np.searchsorted(uoffs, offset, side="right")) - 1
        parts, need, pos = [], length, offset
        while need > 0 and i < len(uoffs):
            data = self._member(i)
            lo = pos - int(uoffs[i])
            piece = data[lo : lo + need]
            parts.append(piece)
            need -= len(piece)
            pos += len(piece)
            i += 1
        return b"".join(parts)

    def _member(self, i: int) -> bytes:
        if self._cache is not None and self._cache[0] == i:
            return self._cache[1]
        assert self._members is not None
        coff = int(self._members[i, 0])
        head = os.pread(self._fd, 18, coff)
        bsize = struct.unpack("<H", head[16:18])[0] + 1
        raw = os.pread(self._fd, bsize, coff)
        data = zlib.decompress(raw[18:-8], -15)
        self._cache = (i, data)
        return data
