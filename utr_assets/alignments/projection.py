"""Aligned projection of MAF blocks onto human intervals, and the per-species row choice (docs/protocol.md §2, Zoo-AL).

What belongs here: cutting one parsed block to the columns of a human interval with numpy (columns where
human has a gap dropped), turning each non-reference row into a ``Fragment``, chaining fragments into rows
and choosing one row per species. Not here: file access, UTR tables, RNA orientation (``extract.py``).

Conventions: everything here is in DNA orientation (reference + strand). A fragment's species coordinates
``sp_start``/``sp_end`` are on the MAF row's own strand (0-based half-open), so along increasing alignment
columns they increase for ``+`` and ``-`` rows alike. ``h0``/``h1`` are offsets into the UTR's exon-concatenated
sequence in genome order; ``g0``/``g1`` the matching genomic span, so introns between fragments are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import NamedTuple

import numpy as np

from utr_assets.alignments.maf_block import GAP, MafBlock

CHAIN_MAX_GAP = 49
# uppercase, '-' kept, every non-ACGT letter (IUPAC, '.', '*') -> N
_NORMALISE = bytes(
    (c - 32 if 97 <= c <= 122 else c) if chr(c).upper() in "ACGT" or c == GAP else ord("N")
    for c in range(256)
)


@dataclass(slots=True)
class Fragment:
    species: str
    contig: str
    strand: str
    src_size: int
    sp_start: int  # row-strand coordinate of the first species base aligned to a human base
    sp_end: int  # row-strand coordinate just after the last one
    h0: int
    h1: int
    g0: int
    g1: int
    aligned: np.ndarray  # uint8, length h1 - h0, '-' where the species has no base
    window: np.ndarray  # the row's columns from its first to its last aligned base (a view into the block)

    @property
    def unaligned(self) -> bytes:
        """The species bases sp_start..sp_end, insertions between human bases included, gaps removed."""
        return self.window[self.window != GAP].tobytes()


@dataclass(slots=True)
class SpeciesRow:
    contig: str
    strand: str
    aligned: np.ndarray  # uint8 over the whole UTR
    fragments: list[Fragment] = field(default_factory=list)
    h_end: int = 0  # of the last fragment: human offset, genomic end, row-strand species end
    g_end: int = 0
    sp_end: int = 0

    def add(self, frag: Fragment) -> None:
        self.fragments.append(frag)
        self.h_end, self.g_end, self.sp_end = frag.h1, frag.g1, frag.sp_end


class BlockArrays(NamedTuple):
    """Per-block arrays computed once and shared by every UTR piece that overlaps the block."""

    mat: np.ndarray  # (rows, columns) uint8, uppercased, non-ACGT letters as N
    ref_cols: np.ndarray  # columns where the reference has a base, in order
    bases: np.ndarray  # (rows, columns) int32: species bases up to and including each column


def block_arrays(block: MafBlock) -> BlockArrays:
    mat = np.frombuffer(b"".join(block.texts).translate(_NORMALISE), np.uint8).reshape(len(block.texts), -1)
    return BlockArrays(
        mat, np.flatnonzero(mat[block.ref] != GAP), np.cumsum(mat != GAP, axis=1, dtype=np.int32)
    )


def project_block(
    block: MafBlock, arrays: BlockArrays, piece_start: int, piece_end: int, h_offset: int
) -> tuple[np.ndarray, int, list[Fragment]]:
    """Columns of ``block`` over the human piece [piece_start, piece_end) (genomic, clipped to the block).

    Returns (human bases, h0, fragments of the non-reference rows). ``h_offset`` is the UTR offset of
    ``piece_start``. Extra rows of the reference species (paralogs) are skipped.
    """
    a, b = max(piece_start, block.ref_start), min(piece_end, block.ref_end)
    if a >= b:
        return np.empty(0, np.uint8), h_offset, []
    mat, ref_cols, nongap = arrays
    cols = ref_cols[a - block.ref_start : b - block.ref_start]
    sub = mat[:, cols]
    present = sub != GAP
    has = present.any(axis=1)
    # first/last aligned human column per row, and species bases before them (row-strand coordinates)
    first = cols[present.argmax(axis=1)]
    last = cols[len(cols) - 1 - present[:, ::-1].argmax(axis=1)]
    rows = np.arange(len(mat))
    before = nongap[rows, first] - 1  # the base at `first` is present for rows that have any
    n_bases = nongap[rows, last] - before
    h0 = h_offset + (a - piece_start)
    h1 = h0 + (b - a)
    ref_species = block.species[block.ref]
    frags: list[Fragment] = []
    for j in np.flatnonzero(has).tolist():
        species = block.species[j]
        if j == block.ref or species == ref_species:
            continue
        sp_start = block.starts[j] + int(before[j])
        frags.append(
            Fragment(
                species,
                block.contigs[j],
                block.strands[j],
                block.src_sizes[j],
                sp_start,
                sp_start + int(n_bases[j]),
                h0,
                h1,
                a,
                b,
                sub[j],
                mat[j, first[j] : last[j] + 1],
            )
        )
    return sub[block.ref], h0, frags


def _chain_gap(row: SpeciesRow, frag: Fragment) -> int | None:
    """|species gap| when ``frag`` may extend ``row``, else None: same contig and strand, the fragment
    reaches beyond the row in human offsets, its species start 0..49 bases after the row's last base,
    human intron bases between them allowed on top (and as much overlap as the human blocks overlap)."""
    if row.contig != frag.contig or row.strand != frag.strand or frag.h1 <= row.h_end:
        return None
    overlap = max(0, row.h_end - frag.h0)
    gap = frag.sp_start - row.sp_end
    intron = max(0, (frag.g0 - row.g_end) - (frag.h0 - row.h_end))
    return abs(gap) if -overlap <= gap <= CHAIN_MAX_GAP + intron else None


def chain_rows(fragments: list[Fragment], length: int) -> dict[str, list[SpeciesRow]]:
    """Chain fragments (in genome order) into rows per species.

    The fragments of one block piece are matched to the rows they may extend (``_chain_gap``) by the
    smallest gap first, each fragment and each row at most once (ties: fragment order, then row order);
    the others open new rows. As the study's ``update_msa`` (dataset_prep/3utr/aligned/extract_fasta/
    utils/maf_to_a2m.py: pairs sorted by gap, greedy), which has no introns or overlapping blocks.
    """
    rows: dict[str, list[SpeciesRow]] = {}
    ordered = sorted(fragments, key=lambda f: f.h0)
    for _, piece in groupby(ordered, key=lambda f: (f.h0, f.h1, f.g0, f.g1)):
        by_species: dict[str, list[Fragment]] = {}
        for frag in piece:
            by_species.setdefault(frag.species, []).append(frag)
        for species, frags in by_species.items():
            species_rows = rows.setdefault(species, [])
            pairs = sorted(
                (gap, i, j)
                for i, frag in enumerate(frags)
                for j, row in enumerate(species_rows)
                if (gap := _chain_gap(row, frag)) is not None
            )
            target: dict[int, SpeciesRow] = {}
            taken: set[int] = set()
            for _, i, j in pairs:
                if i not in target and j not in taken:
                    target[i] = species_rows[j]
                    taken.add(j)
            for i, frag in enumerate(frags):
                row = target.get(i)
                if row is None:
                    row = SpeciesRow(frag.contig, frag.strand, np.full(length, GAP, np.uint8))
                    species_rows.append(row)
                _extend(row, frag)
    return rows


def _extend(row: SpeciesRow, frag: Fragment) -> None:
    if row.fragments and frag.h0 < row.h_end:  # overlapping reference blocks: a later block's bases win
        window = row.aligned[frag.h0 : frag.h1]
        window[:] = np.where(frag.aligned != GAP, frag.aligned, window)
    else:
        row.aligned[frag.h0 : frag.h1] = frag.aligned
    row.add(frag)


@dataclass(slots=True)
class ChosenRow:
    """The row kept for one species: the closest row to human with gaps filled from the others."""

    aligned: np.ndarray
    hamming: int  # of the closest row alone, gaps counted as differences
    rows_used: list[SpeciesRow]  # the closest row, then every row that filled at least one gap column


def genome_span(row: SpeciesRow) -> tuple[int, int]:
    """The row's span in its species' genome, on the + strand of its contig (0-based half-open)."""
    start = min(f.sp_start for f in row.fragments)
    end = max(f.sp_end for f in row.fragments)
    if row.strand == "-":
        size = row.fragments[0].src_size
        return size - end, size - start
    return start, end


def _overlap(a: SpeciesRow, b: SpeciesRow) -> bool:
    """Same contig and overlapping + strand spans (the strands themselves are not compared)."""
    if a.contig != b.contig:
        return False
    (s1, e1), (s2, e2) = genome_span(a), genome_span(b)
    return s1 < e2 and s2 < e1


def choose_row(rows: list[SpeciesRow], human: np.ndarray) -> ChosenRow:
    """Keep the row closest to human (Hamming distance, gaps count; ties: contig name, then row order) and
    fill its gap columns from the other rows in that order, each row filling every column still a gap.

    A row is skipped when it overlaps, in the species' own genome (same contig, + strand spans), the kept
    row or a row taken before it; rows sharing alignment columns are not skipped. As the study's
    ``process_msa`` (dataset_prep/3utr/aligned/extract_fasta/utils/maf_to_a2m.py).
    """
    dist = [int(np.count_nonzero(r.aligned != human)) for r in rows]
    if len(rows) == 1:
        return ChosenRow(rows[0].aligned, dist[0], rows)
    # study: sort_values(['species', 'hamming', 'contig']), a stable sort over the rows in creation order
    order = sorted(range(len(rows)), key=lambda k: (dist[k], rows[k].contig))
    best = rows[order[0]]
    merged = best.aligned.copy()
    taken = [best]
    used = [best]
    for k in order[1:]:
        row = rows[k]
        if any(_overlap(row, t) for t in taken):
            continue
        taken.append(row)
        fill = (merged == GAP) & (row.aligned != GAP)
        if fill.any():
            merged[fill] = row.aligned[fill]
            used.append(row)
    return ChosenRow(merged, dist[order[0]], used)
