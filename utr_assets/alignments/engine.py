"""The extraction pass: feed the MAF blocks that overlap 3'UTRs to each UTR, in genome order, once.

What belongs here: turning ``utr3_regions`` rows into query pieces, choosing the blocks to read (by the
index with seeks for plain/bgzip MAFs, or one streaming pass that parses only each block's reference row
and skips the rest, for plain gzip or when no index is given), and finishing each UTR as soon as the pass
has gone beyond it (bounded memory). Tables and RNA orientation are built by ``extract.py``.

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
import pandas as pd

from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.index import MafIndex, reference_row, relocate
from utr_assets.alignments.mafio import RandomAccess, detect_compression, iter_chunks
from utr_assets.alignments.projection import BlockArrays, Fragment, block_arrays, project_block
from utr_assets.alignments.reader import GAP, MafBlock, iter_block_texts, parse_block
from utr_assets.common.sequences import reverse_complement_bytes


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


@dataclass
class UtrQuery:
    """One UTR: exon pieces (genomic, ascending) with their offsets into the exon-concatenated sequence."""

    utr_id: str
    chrom: str
    strand: str
    pieces: list[tuple[int, int, int]]  # (start, end, offset)
    length: int
    stop: int | None  # lowest genomic coordinate of the 3 bp stop codon
    sequence_dna: np.ndarray  # the table's sequence in DNA orientation, uint8
    # the stop codon's exon pieces (start, end, offset into its 3 bases); two when an intron splits it
    stop_pieces: list[tuple[int, int, int]] = field(default_factory=list)
    human: np.ndarray = field(init=False)
    human_covered: np.ndarray = field(init=False)
    fragments: list[Fragment] = field(default_factory=list)
    stop_human: np.ndarray = field(default_factory=lambda: np.full(3, GAP, np.uint8))
    stop_fragments: list[Fragment] = field(default_factory=list)
    blocks: int = 0

    def __post_init__(self) -> None:
        lo, hi = self.pieces[0][0], self.pieces[-1][1]
        if self.stop is not None and not self.stop_pieces:
            self.stop_pieces = [(self.stop, self.stop + 3, 0)]
        if self.stop_pieces:
            lo, hi = min(lo, self.stop_pieces[0][0]), max(hi, self.stop_pieces[-1][1])
        self._span = (lo, hi)
        self.human = self.sequence_dna.copy()
        self.human_covered = np.zeros(self.length, bool)

    def release(self) -> None:
        """Drop the fragments (they hold views into block arrays) once the consumer is done with them."""
        self.fragments, self.stop_fragments = [], []

    @property
    def span(self) -> tuple[int, int]:
        """Genomic span of the exons and the stop codon."""
        return self._span

    def add_block(self, block: MafBlock, arrays: BlockArrays | None) -> BlockArrays:
        arrays = block_arrays(block) if arrays is None else arrays
        self.blocks += 1
        for start, end, offset in self.pieces:
            ref, h0, frags = project_block(block, arrays, start, end, offset)
            if len(ref):
                self.human[h0 : h0 + len(ref)] = ref
                self.human_covered[h0 : h0 + len(ref)] = True
                self.fragments.extend(frags)
        for start, end, offset in self.stop_pieces:  # read from the exons, never across an intron
            ref, h0, frags = project_block(block, arrays, start, end, offset)
            self.stop_human[h0 : h0 + len(ref)] = ref
            self.stop_fragments.extend(frags)
        return arrays


def utr_queries(regions: pd.DataFrame, stop_codons: bool = True) -> list[UtrQuery]:
    """``utr3_regions`` rows -> queries; ``blocks`` is "s-e,s-e" (0-based half-open, ascending).
    ``stop_codons=False`` leaves the stop codon out (the aligned projection does not need it)."""
    out = []
    for r in regions.itertuples(index=False):
        spans = (
            [tuple(int(x) for x in b.split("-")) for b in str(r.blocks).split(",")]
            if r.blocks
            else [(r.start, r.end)]
        )
        pieces, off = [], 0
        for s, e in spans:
            pieces.append((s, e, off))
            off += e - s
        seq = str(r.sequence).upper().encode()
        if len(seq) != off:
            raise ValueError(f"utr3_regions {r.utr_id}: sequence has {len(seq)} nt, blocks cover {off}")
        dna = reverse_complement_bytes(seq) if r.strand == "-" else seq
        stop = getattr(r, "stop_codon_start", None)
        stop = None if not stop_codons or stop is None or pd.isna(stop) else int(stop)
        out.append(
            UtrQuery(
                str(r.utr_id),
                str(r.chrom),
                str(r.strand),
                pieces,
                off,
                stop,
                np.frombuffer(dna, np.uint8).copy(),
                _stop_pieces(r, stop),
            )
        )
    return out


def _stop_pieces(r, stop: int | None) -> list[tuple[int, int, int]]:
    """The stop codon's exon pieces from ``stop_codon_blocks`` ("s-e[,s-e]", ascending), or the 3 bases
    from ``stop_codon_start`` where the table has no blocks. A stop codon split by an intron is read from
    its exons (the study read the 3 genome bases next to the UTR, intron bases included for a split codon:
    dataset_prep/3utr/unaligned/3UTR_all_species/hal_to_maf_array.sh, then dropped the UTR as stopless)."""
    if stop is None:
        return []
    text = getattr(r, "stop_codon_blocks", None)
    if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
        return [(stop, stop + 3, 0)]
    pieces, off = [], 0
    for b in str(text).split(","):
        s, e = (int(x) for x in b.split("-"))
        pieces.append((s, e, off))
        off += e - s
    if off != 3 or pieces[0][0] != stop or any(p[1] > q[0] for p, q in zip(pieces, pieces[1:], strict=False)):
        raise ValueError(
            f"utr3_regions {r.utr_id}: stop_codon_blocks {text!r} are not 3 ascending bases "
            f"starting at stop_codon_start {stop}"
        )
    return pieces


def genome_order(q: UtrQuery) -> tuple[str, tuple[int, int]]:
    """The order the pass visits UTRs in, and the row order of the output tables: contig, then span."""
    return q.chrom, q.span


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
        if mode == "index"
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
        todo, act = pending.get(chrom), active.get(chrom)
        if todo is None:
            continue
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
