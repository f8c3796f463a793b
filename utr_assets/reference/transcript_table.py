"""Transcripts as a table (the `gene_annotation` asset) and back, losslessly.

Interval lists are stored as "start-end" pieces joined by commas, 0-based half-open, ascending.
"""

from __future__ import annotations

import pandas as pd

from utr_assets.reference.transcripts import Interval, Transcript

TRANSCRIPT_COLUMNS = [
    "transcript_id",
    "gene_id",
    "gene_name",
    "chrom",
    "strand",
    "start",
    "end",
    "transcript_type",
    "tags",
    "exons",
    "cds",
    "stop_codon",
    "line",
]


def format_intervals(intervals: list[Interval]) -> str:
    return ",".join(f"{s}-{e}" for s, e in intervals)


def parse_intervals(text: str) -> list[Interval]:
    if not text:
        return []
    return [(int(a), int(b)) for a, b in (piece.split("-") for piece in text.split(","))]


def transcripts_to_frame(transcripts: list[Transcript]) -> pd.DataFrame:
    rows = [
        {
            "transcript_id": tx.transcript_id,
            "gene_id": tx.gene_id,
            "gene_name": tx.gene_name,
            "chrom": tx.chrom,
            "strand": tx.strand,
            "start": min((s for s, _ in tx.exons), default=-1),
            "end": max((e for _, e in tx.exons), default=-1),
            "transcript_type": tx.transcript_type or "",
            "tags": ",".join(sorted(tx.tags)),
            "exons": format_intervals(tx.exons),
            "cds": format_intervals(tx.cds),
            "stop_codon": format_intervals(tx.stop_codon),
            "line": tx.line,
        }
        for tx in transcripts
    ]
    return pd.DataFrame(rows, columns=TRANSCRIPT_COLUMNS)


def frame_to_transcripts(frame: pd.DataFrame) -> list[Transcript]:
    return [
        Transcript(
            transcript_id=row.transcript_id,
            gene_id=row.gene_id,
            gene_name=row.gene_name,
            chrom=row.chrom,
            strand=row.strand,
            line=int(row.line),
            transcript_type=row.transcript_type or None,
            tags=set(filter(None, row.tags.split(","))),
            exons=parse_intervals(row.exons),
            cds=parse_intervals(row.cds),
            stop_codon=parse_intervals(row.stop_codon),
        )
        for row in frame.itertuples(index=False)
    ]
