"""Unaligned orthologous 3'UTRs (the pretraining corpus), stop-codon anchored as the study did (docs/protocol.md §2).

What belongs here: the stop-codon test (a species is kept when its aligned 3 bases over the human stop
codon equal human's, case-insensitive, gaps counted as differences) and the species' sequence, either
from its assembly (the study's way: the next L bases after its stop codon on its own contig) or, by
default, from its alignment rows over the human 3'UTR: the fragments chained from its stop codon along
the gene on the same contig and strand (``from_alignment``), species insertions kept, gaps removed.

Strand logic. ``q0, q1`` = the species stop codon on the MAF row's strand (row-strand coordinates, which
increase along the alignment for ``+`` and ``-`` rows alike). Human gene ``+``: the UTR follows the codon
along the alignment, row-strand [q1, q1 + L); human gene ``-``: it precedes it, [q0 - L, q0). Clipped to
the contig, then converted to forward coordinates (``-`` row: [S - e, S - s)). The species gene strand is
the human gene strand on a ``+`` row and the opposite on a ``-`` row; ``-`` is reverse-complemented.
Alignment-derived sequences are in human DNA orientation and are reverse-complemented for ``-`` genes.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby
from typing import Protocol

import numpy as np

from utr_assets.alignments.projection import CHAIN_MAX_GAP, Fragment, SpeciesRow, chain_rows
from utr_assets.alignments.queries import UtrQuery
from utr_assets.common.sequences import reverse_complement_bytes

ORTHOLOG_COLUMNS = ["utr_id", "species", "sequence", "length", "source", "contig", "strand", "stop_start"]


class SequenceLookup(Protocol):
    """What we need of an assembly: a sequence by contig and 0-based half-open range. ``pysam.FastaFile``
    and `utr_assets.reference.fasta.Genome` satisfy it."""

    def fetch(self, reference: str, start: int, end: int, /) -> str: ...


def stop_anchors(q: UtrQuery) -> dict[str, SpeciesRow]:
    """Per species, the first chained row over the stop codon whose 3 bases equal human's."""
    if q.stop is None or (q.stop_human == 45).any():
        return {}
    out = {}
    for species, rows in chain_rows(q.stop_fragments, 3).items():
        for row in rows:
            if np.array_equal(row.aligned, q.stop_human):
                out[species] = row
                break
    return out


def _flip(strand: str) -> str:
    return "-" if strand == "+" else "+"


def _forward_stop(row: SpeciesRow) -> int:
    q0, src = row.fragments[0].sp_start, row.fragments[0].src_size
    q1 = row.fragments[-1].sp_end
    return q0 if row.strand == "+" else src - q1


def from_assembly(q: UtrQuery, anchor: SpeciesRow, genome: SequenceLookup) -> tuple[str, str]:
    """(sequence in RNA orientation, species gene strand): the next L bases after the species' stop codon."""
    q0, q1, size = anchor.fragments[0].sp_start, anchor.fragments[-1].sp_end, anchor.fragments[0].src_size
    s, e = (q1, q1 + q.length) if q.strand == "+" else (q0 - q.length, q0)
    s, e = max(0, s), min(size, e)
    fs, fe = (s, e) if anchor.strand == "+" else (size - e, size - s)
    gene_strand = q.strand if anchor.strand == "+" else _flip(q.strand)
    seq = genome.fetch(anchor.contig, fs, fe).upper().encode() if fe > fs else b""
    return (reverse_complement_bytes(seq) if gene_strand == "-" else seq).decode(), gene_strand


def from_alignment(q: UtrQuery, anchor: SpeciesRow, fragments: list[Fragment]) -> bytes:
    """Species bases (human DNA orientation) chained from the stop codon along the gene direction.

    Starting at the anchor, walk the fragments on the anchor's contig and strand in human order (towards
    lower coordinates for ``-`` genes) and take each that starts 0..49 species bases after the current end
    (human gaps, e.g. introns, allowed on top); fragments that do not continue the walk are skipped.
    """
    forward = q.strand == "+"
    cursor = anchor.fragments[-1].sp_end if forward else anchor.fragments[0].sp_start
    g_cursor = q.stop_pieces[-1][1] if forward else q.stop_pieces[0][0]  # the codon's exons, not stop + 3
    pool = [f for f in fragments if f.contig == anchor.contig and f.strand == anchor.strand]
    # walk along the gene direction; fragments from one block (same human span) compete, nearest wins
    pool.sort(key=(lambda f: f.g0) if forward else (lambda f: -f.g1))
    taken: list[bytes] = []
    for _, group in groupby(pool, key=lambda f: (f.g0, f.g1)):
        best, best_gap = None, None
        for f in group:
            if forward:
                sp_gap, h_gap, extends = (
                    f.sp_start - cursor,
                    f.g0 - g_cursor,
                    f.g1 > g_cursor and f.sp_end > cursor,
                )
            else:
                sp_gap, h_gap, extends = (
                    cursor - f.sp_end,
                    g_cursor - f.g1,
                    f.g0 < g_cursor and f.sp_start < cursor,
                )
            # overlapping reference blocks: the species may overlap by as much as human does
            if (
                extends
                and -max(0, -h_gap) <= sp_gap <= CHAIN_MAX_GAP + max(0, h_gap)
                and (best_gap is None or abs(sp_gap) < best_gap)
            ):
                best, best_gap, trim = f, abs(sp_gap), max(0, -sp_gap)
        if best is None:
            continue
        if forward:
            taken.append(best.unaligned[trim:])
            cursor, g_cursor = best.sp_end, best.g1
        else:
            seq = best.unaligned
            taken.append(seq[: len(seq) - trim])
            cursor, g_cursor = best.sp_start, best.g0
    if not forward:
        taken.reverse()
    return b"".join(taken)


def ortholog_records(
    q: UtrQuery, reference_species: str, human_rna: str, genomes: Mapping[str, SequenceLookup] | None = None
) -> list[dict]:
    """Rows of the orthologs table for one UTR: human first, then every species passing the stop test."""
    recs = [
        dict(
            utr_id=q.utr_id,
            species=reference_species,
            sequence=human_rna,
            length=len(human_rna),
            source="reference",
            contig=q.chrom,
            strand=q.strand,
            stop_start=q.stop,
        )
    ]
    anchors = stop_anchors(q)
    by_species: dict[str, list[Fragment]] = {}
    for f in q.fragments:
        if f.species in anchors:
            by_species.setdefault(f.species, []).append(f)
    for species, anchor in sorted(anchors.items()):
        if genomes is not None and species in genomes:
            seq, gene_strand = from_assembly(q, anchor, genomes[species])
            source = "assembly"
        else:
            dna = from_alignment(q, anchor, by_species.get(species, []))
            seq, source = (reverse_complement_bytes(dna) if q.strand == "-" else dna).decode(), "alignment"
            gene_strand = q.strand if anchor.strand == "+" else _flip(q.strand)
        if seq:
            recs.append(
                dict(
                    utr_id=q.utr_id,
                    species=species,
                    sequence=seq,
                    length=len(seq),
                    source=source,
                    contig=anchor.contig,
                    strand=gene_strand,
                    stop_start=_forward_stop(anchor),
                )
            )
    return recs
