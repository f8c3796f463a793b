"""Cheap scans of a MAF that do not parse whole blocks: where the blocks of a plain file start, a block's
reference row, and absolute line numbers for errors found inside a block.

What belongs here: the fast paths of indexing and streaming (`plain_blocks` over `scan_block_starts`
with threaded ``preadv`` windows, `reference_row`) and `relocate`/`line_of_offset`, the slow path that
turns block-relative line numbers into file lines for messages. Not here: the index itself (`index.py`),
full block parsing (`block_parser.py`), compression (`mafio.py`).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np

from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.mafio import iter_chunks
from utr_assets.alignments.reader import check_header

_SCAN_CHUNK = 4 << 20  # bytes per read window of the block-start scan
_HEAD = 1024  # bytes of a block handed to the reference-row parser (the whole block on a miss)
_NL, _A = ord("\n"), ord("a")


def plain_blocks(
    path: Path, threads: int | None = None
) -> Iterator[tuple[int, int, bytes, int, Callable[[], bytes] | None]]:
    """(offset, 0, head of the block, block length, full-block getter) for a plain file.

    Blocks are never copied whole: the reference row is normally the first ``s`` line, within the head.
    Line numbers are not counted (the costly part): 0 means "relative", see ``relocate``.
    """
    with open(path, "rb", buffering=0) as f:
        fd = f.fileno()
        n = os.fstat(fd).st_size
        found = _file_block_starts(fd, n, threads)
        first = next(found, None)
        _check_header_bytes(str(path), fd, first[0] if first is not None else n)
        if first is None:
            return
        pos, head = first
        for nxt, next_head in found:
            head = head[: nxt - pos] if head is not None else os.pread(fd, min(nxt - pos, _HEAD), pos)
            yield pos, 0, head, nxt - pos, partial(os.pread, fd, nxt - pos, pos)
            pos, head = nxt, next_head
        head = head if head is not None else os.pread(fd, _HEAD, pos)
        yield pos, 0, head, n - pos, partial(os.pread, fd, n - pos, pos)


def _check_header_bytes(path: str, fd: int, end: int) -> None:
    """``reader.check_header`` over bytes [0, end) of the file, 1 MiB of whole lines at a time (bounded memory
    when a large file holds no block at all)."""
    offset, line = 0, 1
    while offset < end:
        data = os.pread(fd, min(1 << 20, end - offset), offset)
        cut = (data.rfind(b"\n") + 1 or len(data)) if offset + len(data) < end else len(data)
        check_header(path, data[:cut], line)
        line += data.count(b"\n", 0, cut)
        offset += cut


def _file_block_starts(
    fd: int, n: int, threads: int | None, chunk: int = _SCAN_CHUNK
) -> Iterator[tuple[int, bytes | None]]:
    """(offset, first ``_HEAD`` bytes or None when they cross a read window) of every ``a`` line of a
    plain file, ascending: ``scan_block_starts`` over windows of ``chunk`` bytes read with ``preadv`` into
    one reused buffer per thread (no page faults on fresh memory, bounded memory), with ``threads``
    windows (default: up to 4) in flight ahead of the consumer. numpy and ``preadv`` release the GIL,
    so the scan overlaps the caller's per-block work."""
    local = threading.local()

    def scan(lo: int) -> list[tuple[int, bytes | None]]:
        buf = getattr(local, "buf", None)
        if buf is None:
            buf = local.buf = bytearray(chunk + 1)
        want = min(chunk, n - 1 - lo) + 1  # the window's bytes plus the byte after its last newline
        got = os.preadv(fd, [memoryview(buf)[:want]], lo)
        rel = scan_block_starts(np.frombuffer(buf, np.uint8, got), lo == 0).tolist()
        return [(lo + r, bytes(buf[r : r + _HEAD]) if r + _HEAD <= got else None) for r in rel]

    windows = range(0, n, chunk)
    threads = threads or min(4, os.cpu_count() or 1)
    if threads == 1 or len(windows) < 2:
        for lo in windows:
            yield from scan(lo)
        return
    with ThreadPoolExecutor(threads) as pool:
        ahead = deque(pool.submit(scan, lo) for lo in windows[:threads])
        for lo in windows[threads:]:
            done = ahead.popleft().result()
            ahead.append(pool.submit(scan, lo))
            yield from done
        while ahead:
            yield from ahead.popleft().result()


def scan_block_starts(window: np.ndarray, at_file_start: bool) -> np.ndarray:
    """Positions in ``window`` of ``a`` lines that start at a newline inside it (its last byte only looks
    ahead), plus position 0 when the window opens the file with ``a``.

    MAF lines start with ``a``, ``s``, ``i``, ``e``, ``q``, ``#`` or are blank, so a byte ``a`` right after
    a newline (or at offset 0) starts a block. numpy is about 5x faster per core than ``find`` in a loop.
    """
    newlines = np.flatnonzero(window[:-1] == _NL)
    found = newlines[window[newlines + 1] == _A] + 1
    if at_file_start and len(window) and window[0] == _A:
        found = np.concatenate([[0], found])
    return found


def reference_row(
    text: bytes, prefix: bytes, exact: bytes, path: Path, line: int
) -> tuple[str, int, int, int]:
    """(contig, start, size, line) of the block's first reference row, parsing nothing else."""
    pos = 0 if text.startswith(b"s") else text.find(b"\ns") + 1
    while pos > 0 or (pos == 0 and text.startswith(b"s")):
        eol = text.find(b"\n", pos)
        head = text[pos : (eol if eol >= 0 else len(text))][:400].split()
        if len(head) >= 2 and (head[1].startswith(prefix) or head[1] == exact):
            ln = line + text.count(b"\n", 0, pos)
            if len(head) < 6 or (eol < 0 and len(head) < 7):
                raise MafFormatError(path, f"'s' line has {len(head)} fields, expected 7", ln)
            try:
                start, size, src_size = int(head[2]), int(head[3]), int(head[5])
            except ValueError:
                raise MafFormatError(path, "start, size or srcSize is not an integer", ln) from None
            if head[4] != b"+":
                raise MafFormatError(path, "the reference row is on the '-' strand", ln)
            if start < 0 or size < 0 or start + size > src_size:
                raise MafFormatError(path, f"start {start} + size {size} lies beyond srcSize {src_size}", ln)
            return head[1][len(prefix) :].decode(), start, size, ln
        nxt = text.find(b"\ns", pos)
        pos = nxt + 1 if nxt >= 0 else 0
        if nxt < 0:
            break
    raise MafFormatError(path, f"block has no row of the reference species {exact.decode()!r}", line)


def relocate(err: MafFormatError, path: str | Path, offset: int) -> MafFormatError:
    """An error raised with line numbers relative to a block (block line = 0) made absolute."""
    line = None if err.line is None else line_of_offset(path, offset) + err.line
    return MafFormatError(err.path, err.problem, line)


def line_of_offset(path: str | Path, offset: int) -> int:
    """1-based line number at an uncompressed offset (slow path for error messages)."""
    lines, done = 1, 0
    for chunk in iter_chunks(path):
        take = chunk[: max(0, offset - done)]
        lines += take.count(b"\n")
        done += len(chunk)
        if done >= offset:
            break
    return lines
