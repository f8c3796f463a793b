"""Human 3'UTR selection (docs/protocol.md §1): canonical protein-coding transcripts, primary contigs,
3'UTR = exon parts after the stop codon, stop codon validated, sequence in RNA orientation.

Conventions: `start`/`end` are the 0-based half-open genomic span of the whole 3'UTR; `blocks`
lists its exon pieces as "start-end" in ascending genome order; `length` is the exonic length;
`stop_codon_start` is the lowest genomic coordinate of the 3 bp stop codon and `stop_codon_blocks` its
exon pieces ("start-end", ascending; two when an intron splits it), which the alignment extraction reads;
`sequence` and `stop_codon` are in RNA orientation (minus-strand genes reverse-complemented).
Transcripts that are dropped are returned with a reason, never silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from utr_assets.common.errors import InputFormatError
from utr_assets.common.sequences import reverse_complement
from utr_assets.reference.fasta import Genome
from utr_assets.reference.transcripts import Interval, Transcript

STOP_CODONS = frozenset({"TAA", "TAG", "TGA"})
ASSEMBLY_CHECK_MIN = 10  # transcripts with a checked stop codon before their share of invalid ones is judged
UTR_COLUMNS = [
    "utr_id",
    "gene_id",
    "gene_name",
    "transcript_id",
    "chrom",
    "start",
    "end",
    "strand",
    "blocks",
    "length",
    "stop_codon_start",
    "stop_codon_blocks",
    "stop_codon",
    "sequence",
]


@dataclass(frozen=True)
class Utr3Selection:
    transcript_selection: str = "canonical"
    canonical_tags: tuple[str, ...] = ("Ensembl_canonical", "MANE_Select")
    primary_contig_pattern: str = r"^(chr)?([0-9]+|X|Y)$"
    spliced_utrs: bool = False
    min_utr_length: int = 1
    max_invalid_stop_fraction: float = 0.8  # more dropped for a non-stop codon: the FASTA is another assembly
    # (a random codon is a stop 3 times in 64: a foreign assembly drops ~95%)


def utr3_blocks(tx: Transcript) -> list[Interval]:
    """Exon parts downstream of the stop codon (gene orientation), ascending genome order."""
    if not tx.stop_codon:
        return []
    if tx.strand == "+":
        anchor = max(e for _, e in tx.stop_codon)
        return [(max(s, anchor), e) for s, e in tx.exons if e > anchor]
    anchor = min(s for s, _ in tx.stop_codon)
    return [(s, min(e, anchor)) for s, e in tx.exons if s < anchor]


def _choose_transcripts(
    transcripts: list[Transcript], selection: Utr3Selection, annotation: str
) -> tuple[list[Transcript], list[tuple[Transcript, str]]]:
    coding = [tx for tx in transcripts if tx.is_coding]
    dropped = [(tx, "not_protein_coding") for tx in transcripts if not tx.is_coding]
    if selection.transcript_selection == "all":
        return coding, dropped
    if selection.transcript_selection == "canonical":
        tags = set(selection.canonical_tags)
        if coding and not any(tx.tags & tags for tx in coding):
            raise InputFormatError(
                annotation,
                f"no protein-coding transcript carries a canonical tag "
                f"({', '.join(sorted(tags))}); set reference.transcript_selection "
                "to longest_cds or all for this annotation",
            )
        kept = [tx for tx in coding if tx.tags & tags]
        dropped += [(tx, "not_canonical") for tx in coding if not tx.tags & tags]
        return kept, dropped
    best: dict[str, Transcript] = {}
    for tx in coding:
        current = best.get(tx.gene_id)
        if current is None or (tx.cds_length, -len(tx.transcript_id)) > (
            current.cds_length,
            -len(current.transcript_id),
        ):
            best[tx.gene_id] = tx
    kept_ids = {id(tx) for tx in best.values()}
    dropped += [(tx, "not_longest_cds") for tx in coding if id(tx) not in kept_ids]
    return [tx for tx in coding if id(tx) in kept_ids], dropped


def _check_contig(tx: Transcript, genome: Genome, annotation: str) -> None:
    if tx.chrom not in genome.contigs:
        hint = ""
        alt = tx.chrom[3:] if tx.chrom.startswith("chr") else f"chr{tx.chrom}"
        if alt in genome.contigs:
            hint = f" (the FASTA names it {alt!r}: contig naming styles differ)"
        raise InputFormatError(
            genome.path,
            f"contig {tx.chrom!r} of transcript {tx.transcript_id} "
            f"(annotation {annotation} line {tx.line}) is not in the FASTA{hint}",
        )
    top = max(e for _, e in tx.exons) if tx.exons else 0
    if top > genome.contigs[tx.chrom] or any(s < 0 for s, _ in tx.exons):
        raise InputFormatError(
            annotation,
            f"transcript {tx.transcript_id} extends to {top}, beyond "
            f"{tx.chrom} (length {genome.contigs[tx.chrom]}) in {genome.path}",
            tx.line,
        )


def _spliced_sequence(genome: Genome, chrom: str, blocks: Iterable[Interval], strand: str) -> str:
    sequence = "".join(genome.fetch(chrom, s, e) for s, e in blocks)
    return reverse_complement(sequence) if strand == "-" else sequence


def _check_stop_codons(
    rows: list[dict],
    dropped: list[tuple[Transcript, str]],
    selection: Utr3Selection,
    annotation: str,
    genome: str | Path,
) -> None:
    """Most stop codons missing from the FASTA means annotation and FASTA are different assemblies."""
    invalid = [(tx, reason) for tx, reason in dropped if reason.startswith("invalid_stop_codon")]
    checked = len(rows) + len(invalid)
    if checked >= ASSEMBLY_CHECK_MIN and len(invalid) / checked > selection.max_invalid_stop_fraction:
        tx = invalid[0][0]
        raise InputFormatError(
            annotation,
            f"{len(invalid)} of {checked} transcripts ({len(invalid) / checked:.0%}) "
            f"have no stop codon at the annotated position in {genome} (first: "
            f"{tx.transcript_id} at line {tx.line}, {invalid[0][1].split(':')[1]!r}): the annotation "
            "and the FASTA are probably different assemblies (or the coordinate offset is wrong); "
            "use a matching pair, or raise reference.max_invalid_stop_fraction (now "
            f"{selection.max_invalid_stop_fraction}) to accept it",
        )


def select_utr3_regions(
    transcripts: list[Transcript], genome: Genome, selection: Utr3Selection, annotation: str | Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (utr3 table, excluded transcripts with reasons)."""
    annotation = str(annotation)
    chosen, dropped = _choose_transcripts(transcripts, selection, annotation)
    primary = re.compile(selection.primary_contig_pattern)
    rows = []
    for tx in chosen:
        if not primary.search(tx.chrom):
            dropped.append((tx, "non_primary_contig"))
            continue
        blocks = utr3_blocks(tx)
        if not tx.stop_codon:
            dropped.append((tx, "no_stop_codon"))
            continue
        if not blocks:
            dropped.append((tx, "no_3utr"))
            continue
        if len(blocks) > 1 and not selection.spliced_utrs:
            dropped.append((tx, "spliced_3utr"))
            continue
        _check_contig(tx, genome, annotation)
        stop = _spliced_sequence(genome, tx.chrom, tx.stop_codon, tx.strand)
        if stop not in STOP_CODONS:
            dropped.append((tx, f"invalid_stop_codon:{stop}"))
            continue
        length = sum(e - s for s, e in blocks)
        if length < selection.min_utr_length:
            dropped.append((tx, "too_short"))
            continue
        rows.append(
            {
                "utr_id": tx.transcript_id,
                "gene_id": tx.gene_id,
                "gene_name": tx.gene_name,
                "transcript_id": tx.transcript_id,
                "chrom": tx.chrom,
                "start": blocks[0][0],
                "end": blocks[-1][1],
                "strand": tx.strand,
                "blocks": ",".join(f"{s}-{e}" for s, e in blocks),
                "length": length,
                "stop_codon_start": tx.stop_codon[0][0],
                "stop_codon": stop,
                "stop_codon_blocks": ",".join(f"{s}-{e}" for s, e in tx.stop_codon),
                "sequence": _spliced_sequence(genome, tx.chrom, blocks, tx.strand),
            }
        )
    _check_stop_codons(rows, dropped, selection, annotation, genome.path)
    table = pd.DataFrame(rows, columns=UTR_COLUMNS).sort_values(
        ["chrom", "start", "utr_id"], ignore_index=True
    )
    table = table.astype({"start": "int64", "end": "int64", "length": "int64", "stop_codon_start": "int64"})
    excluded = pd.DataFrame(
        [
            {
                "transcript_id": tx.transcript_id,
                "gene_id": tx.gene_id,
                "chrom": tx.chrom,
                "line": tx.line,
                "reason": reason,
            }
            for tx, reason in dropped
        ],
        columns=["transcript_id", "gene_id", "chrom", "line", "reason"],
    )
    return table, excluded
