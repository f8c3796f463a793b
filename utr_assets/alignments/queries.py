"""The 3'UTR queries of an extraction pass: each `utr3_regions` row as exon pieces in DNA orientation, and
what the pass has gathered for it (the human row, the aligned fragments of every species, the stop codon).

What belongs here: `UtrQuery` (its span, how a block's projection is added), `utr_queries` (table rows ->
queries, with the stop codon's exon pieces) and `genome_order`, the order the pass and the output tables
follow. Not here: choosing and reading blocks (`engine.py`), projecting a block (`projection.py`), the
output tables (`extract.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from utr_assets.alignments.maf_block import GAP, MafBlock
from utr_assets.alignments.projection import BlockArrays, Fragment, block_arrays, project_block
from utr_assets.common.sequences import reverse_complement_bytes


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
