"""The transcript model every annotation reader fills, and the exon geometry the readers share.

What belongs here: `Transcript` and `Interval` (0-based half-open on the contig's + strand), where the stop
codon lies when a format does not say (`stop_after_cds`, `walk_exons`), cutting it out of a CDS
(`subtract_intervals`), and the strict integer parsing of coordinates. Not here: the file formats
(`gtf_gff3.py`, `genepred.py`), choosing a reader (`annotation.py`) or 3'UTR selection (`utr3.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from utr_assets.common.errors import InputFormatError

Interval = tuple[int, int]


@dataclass
class Transcript:
    transcript_id: str
    gene_id: str
    gene_name: str
    chrom: str
    strand: str
    line: int
    transcript_type: str | None = None
    tags: set[str] = field(default_factory=set)
    exons: list[Interval] = field(default_factory=list)
    cds: list[Interval] = field(default_factory=list)
    stop_codon: list[Interval] = field(default_factory=list)

    @property
    def cds_length(self) -> int:
        return sum(e - s for s, e in self.cds)

    @property
    def is_coding(self) -> bool:
        if self.transcript_type is not None:
            return self.transcript_type == "protein_coding"
        return bool(self.cds)


def add_feature(tx: Transcript, feature: str, interval: Interval) -> None:
    if feature == "exon":
        tx.exons.append(interval)
    elif feature == "CDS":
        tx.cds.append(interval)
    elif feature == "stop_codon":
        tx.stop_codon.append(interval)


def strict_int(path: Path, number: int, value: str, what: str) -> int:
    """A non-negative decimal integer, strictly (no sign, blanks, underscores or fractions)."""
    if not value.isascii() or not value.isdigit():
        raise InputFormatError(path, f"{what} is not an integer (decimal digits only): {value!r}", number)
    return int(value)


def stop_after_cds(tx: Transcript) -> list[Interval]:
    """GFF3 usually has no stop_codon feature: the 3 bp right after the CDS, within the exons."""
    if tx.strand == "+":
        end = max(e for _, e in tx.cds)
        return walk_exons(tx.exons, end, 3, forward=True)
    start = min(s for s, _ in tx.cds)
    return walk_exons(tx.exons, start, 3, forward=False)


def walk_exons(exons: list[Interval], anchor: int, length: int, forward: bool) -> list[Interval]:
    """``length`` exonic bases starting at ``anchor`` going forward (up) or backward (down)."""
    pieces: list[Interval] = []
    remaining = length
    ordered = sorted(exons) if forward else sorted(exons, reverse=True)
    for start, end in ordered:
        if forward and end > anchor:
            begin = max(start, anchor)
            take = min(remaining, end - begin)
            pieces.append((begin, begin + take))
        elif not forward and start < anchor:
            stop = min(end, anchor)
            take = min(remaining, stop - start)
            pieces.append((stop - take, stop))
        else:
            continue
        remaining -= take
        if remaining == 0:
            break
    return sorted(pieces) if remaining == 0 else []


def subtract_intervals(intervals: list[Interval], removed: list[Interval]) -> list[Interval]:
    out = []
    for start, end in intervals:
        pieces = [(start, end)]
        for r_start, r_end in removed:
            next_pieces = []
            for s, e in pieces:
                if r_end <= s or r_start >= e:
                    next_pieces.append((s, e))
                    continue
                if s < r_start:
                    next_pieces.append((s, r_start))
                if r_end < e:
                    next_pieces.append((r_end, e))
            pieces = next_pieces
        out.extend(pieces)
    return sorted(out)
