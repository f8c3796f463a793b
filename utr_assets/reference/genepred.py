"""UCSC genePred annotation reader (plain, with a `bin` column, or genePredExt) into `Transcript`s.

What belongs here: the genePred columns (0-based already), their consistency checks, the gene name
(`name2` by header or genePredExt position) and cutting the stop codon off cdsStart/cdsEnd, which include
it. Not here: the transcript model and exon geometry (`transcripts.py`), GTF/GFF3 (`gtf_gff3.py`).
"""

from __future__ import annotations

from pathlib import Path

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import iter_lines
from utr_assets.reference.transcripts import Transcript, strict_int, subtract_intervals, walk_exons


def read_genepred(path: Path, offset: int) -> list[Transcript]:
    transcripts: list[Transcript] = []
    seen: dict[str, int] = {}
    columns: list[str] | None = None
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        if line.startswith("#"):
            columns = line.lstrip("#").split("\t")
            continue
        fields = line.split("\t")
        if fields[0].isdigit() and len(fields) in (11, 13, 16):
            fields = fields[1:]  # UCSC table dumps start with a 'bin' column
        if len(fields) < 10:
            raise InputFormatError(path, f"genePred needs at least 10 columns, found {len(fields)}", number)
        name, chrom, strand = fields[0], fields[1], fields[2]
        if name in seen:
            raise InputFormatError(
                path,
                f"transcript {name!r} is listed twice (first at line {seen[name]}); names must be unique",
                number,
            )
        seen[name] = number
        if strand not in ("+", "-"):
            raise InputFormatError(path, f"strand must be + or -, found {strand!r}", number)
        tx_start, tx_end, cds_start, cds_end, count = (
            strict_int(path, number, v, c)
            for v, c in zip(fields[3:8], ("txStart", "txEnd", "cdsStart", "cdsEnd", "exonCount"), strict=True)
        )
        starts = [strict_int(path, number, v, "exonStarts") for v in fields[8].rstrip(",").split(",") if v]
        ends = [strict_int(path, number, v, "exonEnds") for v in fields[9].rstrip(",").split(",") if v]
        if not (len(starts) == len(ends) == count):
            raise InputFormatError(
                path, f"exonCount {count} disagrees with {len(starts)} starts / {len(ends)} ends", number
            )
        if any(e <= s for s, e in zip(starts, ends, strict=True)) or not (
            tx_start <= cds_start <= cds_end <= tx_end
        ):
            raise InputFormatError(
                path,
                "inconsistent coordinates (need txStart <= cdsStart <= cdsEnd <= txEnd, exonStart < exonEnd)",
                number,
            )
        gene = name
        if columns and "name2" in columns and len(fields) > columns.index("name2"):
            gene = fields[columns.index("name2")] or name
        elif len(fields) >= 15 and fields[10].lstrip("-").isdigit():
            gene = fields[11] or name  # genePredExt: score, name2, ...
        tx = Transcript(
            name,
            gene,
            gene,
            chrom,
            strand,
            number,
            transcript_type="protein_coding" if cds_start < cds_end else "non_coding",
        )
        tx.exons = [(s + offset, e + offset) for s, e in zip(starts, ends, strict=True)]
        if cds_start < cds_end:
            coding = [
                (max(s, cds_start) + offset, min(e, cds_end) + offset)
                for s, e in zip(starts, ends, strict=True)
                if e > cds_start and s < cds_end
            ]
            anchor = cds_end + offset if strand == "+" else cds_start + offset
            tx.stop_codon = (
                walk_exons(coding, anchor, 3, forward=False)
                if strand == "+"
                else walk_exons(coding, anchor, 3, forward=True)
            )
            tx.cds = subtract_intervals(coding, tx.stop_codon)
        transcripts.append(tx)
    return transcripts
