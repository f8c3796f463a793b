"""Genome <-> 3'UTR coordinates over the `utr3_regions` table (docs/protocol.md §1).

Conventions: genome positions are 0-based; `blocks` are "start-end" 0-based half-open pieces in
ascending genome order; a UTR offset is 0-based in RNA orientation (offset 0 is the first base after
the stop codon; on minus-strand genes it is the highest genome position). VCF POS (1-based) is
converted by the callers (pos0 = POS - 1). Chromosome names are matched with or without `chr`
(ClinVar and CADD use NCBI names like `1`, `MT`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

Regions = Iterable[tuple[str, int, int]]  # (chrom, start0, end0) half-open, as readers take them


def parse_blocks(blocks: str, start: int, end: int) -> list[tuple[int, int]]:
    """ "s-e,s-e" -> [(s, e), ...]; an empty value means one block (start, end)."""
    if not isinstance(blocks, str) or not blocks.strip():
        return [(int(start), int(end))]
    out = []
    for piece in blocks.split(","):
        s, e = piece.split("-")
        out.append((int(s), int(e)))
    return out


def normalise_chrom(name: str, known: Iterable[str]) -> str:
    """`name` as spelled in `known` (adds/removes `chr`, MT <-> chrM); unchanged when no match."""
    known = set(known)
    if name in known:
        return name
    bare = name.removeprefix("chr")
    for cand in (f"chr{bare}", bare, "chrM" if bare == "MT" else "", "MT" if bare == "M" else ""):
        if cand and cand in known:
            return cand
    return name


@dataclass(frozen=True)
class UtrHit:
    utr_id: str
    offset: int  # 0-based, RNA orientation


class UtrIndex:
    """Point lookups (chrom, pos0) -> UTR offsets, and per-UTR genome position arrays."""

    def __init__(self, regions: pd.DataFrame):
        need = {"utr_id", "gene_id", "chrom", "start", "end", "strand", "length", "sequence"}
        missing = need - set(regions.columns)
        if missing:
            raise ValueError(f"utr3_regions lacks columns {sorted(missing)}")
        self.regions = regions.set_index("utr_id", drop=False)
        self._blocks: dict[str, list[tuple[int, int]]] = {}
        per_chrom: dict[str, list[tuple[int, int, str]]] = {}
        for row in regions.itertuples(index=False):
            blocks = parse_blocks(getattr(row, "blocks", ""), row.start, row.end)
            if sum(e - s for s, e in blocks) != int(row.length) or len(row.sequence) != int(row.length):
                raise ValueError(f"{row.utr_id}: blocks, length and sequence disagree")
            self._blocks[row.utr_id] = blocks
            per_chrom.setdefault(row.chrom, []).extend((s, e, row.utr_id) for s, e in blocks)
        self._index: dict[str, tuple[np.ndarray, np.ndarray, list[str], int]] = {}
        for chrom, items in per_chrom.items():
            items.sort()
            starts = np.array([s for s, _, _ in items], dtype=np.int64)
            ends = np.array([e for _, e, _ in items], dtype=np.int64)
            self._index[chrom] = (starts, ends, [u for _, _, u in items], int((ends - starts).max()))
        self.chroms = frozenset(per_chrom)

    def chrom(self, name: str) -> str:
        return normalise_chrom(name, self.chroms)

    def genome_positions(self, utr_id: str) -> np.ndarray:
        """0-based genome position of every UTR offset (RNA orientation): ascending on +, descending on -."""
        pos = np.concatenate([np.arange(s, e, dtype=np.int64) for s, e in self._blocks[utr_id]])
        return pos if self.regions.at[utr_id, "strand"] == "+" else pos[::-1].copy()

    def locate(self, chrom: str, pos0: int) -> list[UtrHit]:
        """Every UTR whose blocks contain `pos0`, sorted by utr_id."""
        chrom = self.chrom(chrom)
        if chrom not in self._index:
            return []
        starts, ends, ids, longest = self._index[chrom]
        hi = int(np.searchsorted(starts, pos0, side="right"))
        lo = int(np.searchsorted(starts, pos0 - longest, side="left"))
        hits = []
        for k in range(lo, hi):
            if starts[k] <= pos0 < ends[k]:
                hits.append(UtrHit(ids[k], self.offset_of(ids[k], pos0)))
        return sorted(hits, key=lambda h: h.utr_id)

    def offset_of(self, utr_id: str, pos0: int) -> int:
        """RNA-orientation offset of genome position `pos0` inside `utr_id` (must be inside a block)."""
        before = 0
        for s, e in self._blocks[utr_id]:
            if s <= pos0 < e:
                genome_offset = before + pos0 - s
                length = int(self.regions.at[utr_id, "length"])
                return (
                    genome_offset if self.regions.at[utr_id, "strand"] == "+" else length - 1 - genome_offset
                )
            before += e - s
        raise ValueError(f"{pos0} is not inside {utr_id}")
