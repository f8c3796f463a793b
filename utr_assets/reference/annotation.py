"""Gene annotation parsing: GTF, GFF3 and UCSC genePred into one `Transcript` model.

Conventions: every interval here is 0-based half-open on the + strand of the contig, whatever
the input format (GTF/GFF3 are 1-based inclusive: start-1, end; genePred is already 0-based).
`coordinate_offset` is added to every coordinate (annotations of a genome slice). CDS intervals
never include the stop codon: GTF/GFF3 give it as its own feature; genePred's cdsStart/cdsEnd
include it, so it is cut off the CDS here (on the gene's strand, across an intron if split).

What belongs here: choosing the reader (`detect_format`) and `read_annotation`, the one entry point. The
readers are `gtf_gff3.py` and `genepred.py`, the transcript model `transcripts.py` (its `Transcript` and
`Interval` are re-exported here).
"""

from __future__ import annotations

from pathlib import Path

from utr_assets.common.errors import InputFormatError
from utr_assets.reference.genepred import read_genepred
from utr_assets.reference.gtf_gff3 import read_gff3, read_gtf
from utr_assets.reference.transcripts import Interval, Transcript

__all__ = ["Interval", "Transcript", "detect_format", "read_annotation"]


def detect_format(path: str | Path) -> str:
    name = Path(path).name.lower().removesuffix(".gz")
    for suffix, fmt in (
        (".gtf", "gtf"),
        (".gff3", "gff3"),
        (".gff", "gff3"),
        (".gp", "genepred"),
        (".genepred", "genepred"),
        (".txt", "genepred"),
    ):
        if name.endswith(suffix):
            return fmt
    raise InputFormatError(
        path,
        "cannot tell the annotation format from the file name; "
        "set reference.annotation_format to gtf, gff3 or genepred",
    )


def read_annotation(path: str | Path, fmt: str = "auto", coordinate_offset: int = 0) -> list[Transcript]:
    """Parse an annotation into transcripts, in file order of first appearance."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    readers = {"gtf": read_gtf, "gff3": read_gff3, "genepred": read_genepred}
    if fmt not in readers:
        raise ValueError(f"unknown annotation format {fmt!r}")
    transcripts = readers[fmt](Path(path), coordinate_offset)
    if not transcripts:
        raise InputFormatError(path, f"no transcripts found in this {fmt} file")
    for tx in transcripts:
        tx.exons.sort()
        tx.cds.sort()
        tx.stop_codon.sort()
    return transcripts
