"""The extraction pass: feed the MAF blocks that overlap 3'UTRs to each UTR, in genome order, once.

What belongs here: turning ``utr3_regions`` rows into query pieces, choosing the blocks to read (by the
index with seeks for plain/bgzip MAFs, or one streaming pass that parses only each block's reference row
and skips the rest, for plain gzip or when no index is given), and finishing each UTR as soon as the pass
has gone beyond it (bounded memory). The queries themselves are ``queries.py``; tables and RNA orientation
are built by ``extract.py``.

Invariants: blocks arrive sorted by reference start within a contig (checked), so a UTR whose span ends
at or before a block's start can be finished. All coordinates here are genomic, DNA orientation.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from utr_assets.alignments.block_parser import parse_block
from utr_assets.alignments.block_scan import reference_row, relocate
from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.index import MafIndex
from utr_assets.alignments.maf_block import MafBlock
from utr_assets.alignments.mafio import RandomAccess, detect_compression, iter_chunks
from utr_assets.alignments.queries import UtrQuery, genome_order
from utr_assets.alignments.reader import iter_block_texts


@dataclass
class ExtractionStats:
    mode: str  # "index" (seeks) or "stream"
    blocks_total: int | None = None  # known with an index or after a full stream
    blocks_read: int = 0  # blocks parsed in full
    bytes_total: int = 0  # uncompressed MAF bytes
    bytes_read: int = 0  # uncompressed bytes of the blocks parsed in full (stream: all bytes scanned)
    seconds: float = 0.0
    n_utrs: int = 0
    coverage: dict[str, int] = field(default_factory=dict)  # utr_id -> species with an aligned row

    @property
    def mb_per_s(self) -> float:
        """Uncompressed MAF megabytes served per second (whole MAF / time: the rate users feel)."""
        return self.bytes_total / 1e6 / self.seconds if self.seconds else float("nan")

    @property
    def utrs_per_s(self) -> float:
        return self.n_utrs / self.seconds if self.seconds else float("nan")

    def as_metadata(self) -> dict[str, float | int | str | None]:
        return {
            "mode": self.mode,
            "blocks_read": self.blocks_read,
            "blocks_total": self.blocks_total,
            "bytes_read": self.bytes_read,
            "bytes_total": self.bytes_total,
            "seconds": round(self.seconds, 3),
            "mb_per_s": round(self.mb_per_s, 1),
            "utrs_per_s": round(self.utrs_per_s, 1),
            "n_utrs": self.n_utrs,
        }


def run_pass(
    maf_path: str | Path, queries: list[UtrQuery], reference_species: str, index: MafIndex | None = None
) -> tuple[Iterator[UtrQuery], ExtractionStats]:
    """Feed blocks to queries; yields each query once finished (all its blocks seen), in genome order
    per contig. ``stats`` is complete when the iterator is exhausted."""
    path = Path(maf_path)
    compression = index.compression if index is not None else detect_compression(path)
    mode = "index" if index is not None and compression != "gzip" else "stream"
    stats = ExtractionStats(mode=mode, n_utrs=len(queries))
    by_chrom: dict[str, list[UtrQuery]] = {}
    for q in sorted(queries, key=genome_order):
        by_chrom.setdefault(q.chrom, []).append(q)
    blocks = (
        _indexed_blocks(path, index, by_chrom, reference_species, stats)
        if index is not None and mode == "index"
        else _streamed_blocks(path, compression, by_chrom, reference_species, stats)
    )
    return _dispatch(blocks, by_chrom, stats), stats


def _dispatch(
    blocks: Iterator[MafBlock], by_chrom: dict[str, list[UtrQuery]], stats: ExtractionStats
) -> Iterator[UtrQuery]:
    t0 = time.perf_counter()
    pending = {c: deque(qs) for c, qs in by_chrom.items()}  # per contig, sorted by span start
    active: dict[str, list[UtrQuery]] = {c: [] for c in by_chrom}
    for block in blocks:
        chrom, bs, be = block.ref_chrom, block.ref_start, block.ref_end
        todo = pending.get(chrom)
        if todo is None:
            continue
        act = active[chrom]
        while todo and todo[0].span[0] < be:
            act.append(todo.popleft())
        done = [q for q in act if q.span[1] <= bs]
        for q in done:
            act.remove(q)
            yield _finish(q, stats)
            q.release()
        mat = None
        for q in act:
            if q.span[0] < be and bs < q.span[1]:
                mat = q.add_block(block, mat)
        stats.seconds = time.perf_counter() - t0
    for chrom in by_chrom:
        for q in active[chrom] + list(pending[chrom]):
            yield _finish(q, stats)
            q.release()
    stats.seconds = time.perf_counter() - t0


def _finish(q: UtrQuery, stats: ExtractionStats) -> UtrQuery:
    stats.coverage[q.utr_id] = len({f.species for f in q.fragments})
    return q


def _indexed_blocks(
    path: Path, index: MafIndex, by_chrom: dict[str, list[UtrQuery]], reference: str, stats: ExtractionStats
) -> Iterator[MafBlock]:
    if index.reference_species != reference:
        raise ValueError(f"index was built for {index.reference_species!r}, not {reference!r}")
    stats.blocks_total, stats.bytes_total = index.n_blocks, index.total_bytes
    wanted: set[int] = set()
    for chrom, qs in by_chrom.items():
        for q in qs:
            for s, e, _ in q.pieces:
                wanted.update(index.query(chrom, s, e).tolist())
            for s, e, _ in q.stop_pieces:
                wanted.update(index.query(chrom, s, e).tolist())
    rows = sorted(wanted)  # sorted by (contig code, start) = file order within a contig
    with RandomAccess(path, index.compression, index.members) as ra:
        i = 0
        while i < len(rows):
            # coalesce runs of blocks adjacent in the file into one read
            j = i
            while (
                j + 1 < len(rows)
                and index.offsets[rows[j + 1]] == index.offsets[rows[j]] + index.lengths[rows[j]]
                and index.offsets[rows[j + 1]] - index.offsets[rows[i]] < (8 << 20)
            ):
                j += 1
            base = int(index.offsets[rows[i]])
            data = ra.read(base, int(index.offsets[rows[j]] + index.lengths[rows[j]]) - base)
            for r in rows[i : j + 1]:
                lo = int(index.offsets[r]) - base
                text = data[lo : lo + int(index.lengths[r])]
                stats.blocks_read += 1
                stats.bytes_read += len(text)
                line = int(index.lines[r])
                try:
                    block = parse_block(text, str(path), line, int(index.offsets[r]), reference)
                except MafFormatError as err:
                    raise (relocate(err, path, int(index.offsets[r])) if line == 0 else err) from None
                yield block
            i = j + 1


def _streamed_blocks(
    path: Path, compression: str, by_chrom: dict[str, list[UtrQuery]], reference: str, stats: ExtractionStats
) -> Iterator[MafBlock]:
    prefix, exact = reference.encode() + b".", reference.encode()
    spans = {
        c: (np.array([q.span[0] for q in qs]), np.maximum.accumulate([q.span[1] for q in qs]))
        for c, qs in by_chrom.items()
    }
    last: dict[str, int] = {}
    n = 0
    for offset, line, text in iter_block_texts(path, iter_chunks(path, compression)):
        n += 1
        stats.bytes_total = offset + len(text)
        chrom, start, size, ln = reference_row(text, prefix, exact, path, line)
        if start < last.get(chrom, -1):
            raise MafFormatError(
                path, f"reference coordinates not sorted: {chrom}:{start} follows {chrom}:{last[chrom]}", ln
            )
        last[chrom] = start
        sp = spans.get(chrom)
        if sp is None:
            continue
        k = int(np.searchsorted(sp[0], start + size, side="left"))  # UTRs [0, k) start before the block ends
        if k == 0 or sp[1][k - 1] <= start:  # ... and none of them ends after the block starts
            continue
        stats.blocks_read += 1
        stats.bytes_read += len(text)
        yield parse_block(text, str(path), line, offset, reference)
    stats.blocks_total = n
