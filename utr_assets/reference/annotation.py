"""Gene annotation parsing: GTF, GFF3 and UCSC genePred into one `Transcript` model.

Conventions: every interval here is 0-based half-open on the + strand of the contig, whatever
the input format (GTF/GFF3 are 1-based inclusive: start-1, end; genePred is already 0-based).
`coordinate_offset` is added to every coordinate (annotations of a genome slice). CDS intervals
never include the stop codon: GTF/GFF3 give it as its own feature; genePred's cdsStart/cdsEnd
include it, so it is cut off the CDS here (on the gene's strand, across an intron if split).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import iter_lines

Interval = tuple[int, int]
_GTF_ATTR = re.compile(r'\s*([^\s;]+)\s+(?:"([^"]*)"|([^;\s"]+))\s*(?:;|$)')
_TRANSCRIPT_FEATURES = {
    "exon",
    "CDS",
    "stop_codon",
    "start_codon",
    "UTR",
    "3UTR",
    "5UTR",
    "three_prime_utr",
    "five_prime_utr",
    "three_prime_UTR",
    "five_prime_UTR",
    "transcript",
    "mRNA",
    "Selenocysteine",
}


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
    readers = {"gtf": _read_gtf, "gff3": _read_gff3, "genepred": _read_genepred}
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


def _int(path: Path, number: int, value: str, what: str) -> int:
    """A non-negative decimal integer, strictly (no sign, blanks, underscores or fractions)."""
    if not value.isascii() or not value.isdigit():
        raise InputFormatError(path, f"{what} is not an integer (decimal digits only): {value!r}", number)
    return int(value)


def _feature_rows(path: Path, attribute_parser):
    """Yield (line, chrom, feature, start0, end, strand, attributes) from GTF/GFF3 text."""
    for number, line in iter_lines(path):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 9:
            raise InputFormatError(path, f"expected 9 tab-separated columns, found {len(fields)}", number)
        chrom, _, feature, start, end, _, strand, _, attributes = fields
        start_1, end_1 = _int(path, number, start, "start"), _int(path, number, end, "end")
        if start_1 < 1 or end_1 < start_1:
            raise InputFormatError(path, f"invalid interval {start}-{end} (1-based, start <= end)", number)
        if strand not in ("+", "-"):
            if feature in _TRANSCRIPT_FEATURES:
                raise InputFormatError(path, f"strand must be + or -, found {strand!r}", number)
            continue
        yield number, chrom, feature, start_1 - 1, end_1, strand, attribute_parser(path, number, attributes)


def _gtf_attributes(path: Path, number: int, text: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    position = 0
    text = text.strip()
    while position < len(text):
        match = _GTF_ATTR.match(text, position)
        if not match:
            raise InputFormatError(
                path, f"malformed GTF attributes near {text[position : position + 40]!r}", number
            )
        parsed.setdefault(match.group(1), []).append(
            match.group(2) if match.group(2) is not None else match.group(3)
        )
        position = match.end()
    return parsed


def _add_feature(tx: Transcript, feature: str, interval: Interval) -> None:
    if feature == "exon":
        tx.exons.append(interval)
    elif feature == "CDS":
        tx.cds.append(interval)
    elif feature == "stop_codon":
        tx.stop_codon.append(interval)


def _read_gtf(path: Path, offset: int) -> list[Transcript]:
    transcripts: dict[str, Transcript] = {}
    for number, chrom, feature, start, end, strand, attrs in _feature_rows(path, _gtf_attributes):
        if feature not in _TRANSCRIPT_FEATURES:
            continue
        if "transcript_id" not in attrs:
            raise InputFormatError(path, f"{feature} line has no transcript_id attribute", number)
        tid = attrs["transcript_id"][0]
        tx = transcripts.get(tid)
        if tx is None:
            gene_id = attrs.get("gene_id", [tid])[0]
            tx = transcripts[tid] = Transcript(
                tid, gene_id, attrs.get("gene_name", [gene_id])[0], chrom, strand, number
            )
        elif (tx.chrom, tx.strand) != (chrom, strand):
            raise InputFormatError(
                path,
                f"transcript {tid} changes contig/strand ({tx.chrom}{tx.strand} -> {chrom}{strand})",
                number,
            )
        elif attrs.get("gene_id", [tid])[0] != tx.gene_id:
            raise InputFormatError(
                path,
                f"transcript_id {tid} is reused by gene {attrs['gene_id'][0]} (it belongs to "
                f"gene {tx.gene_id}, line {tx.line}); transcript ids must be unique",
                number,
            )
        ttype = attrs.get("transcript_type") or attrs.get("transcript_biotype")
        if ttype:
            tx.transcript_type = ttype[0]
        tx.tags.update(attrs.get("tag", []))
        _add_feature(tx, feature, (start + offset, end + offset))
    for tx in transcripts.values():
        if tx.cds and not tx.stop_codon and "cds_end_NF" not in tx.tags:
            tx.stop_codon = _stop_after_cds(tx)
    return list(transcripts.values())


def _gff3_attributes(path: Path, number: int, text: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        if "=" not in item:
            raise InputFormatError(path, f"malformed GFF3 attribute {item!r} (expected key=value)", number)
        key, value = item.split("=", 1)
        parsed[key] = [unquote(v) for v in value.split(",")]
    return parsed


def _strip_prefix(identifier: str) -> str:
    return identifier.split(":", 1)[1] if identifier.startswith(("transcript:", "gene:")) else identifier


def _read_gff3(path: Path, offset: int) -> list[Transcript]:
    genes: dict[str, dict[str, list[str]]] = {}
    transcripts: dict[str, Transcript] = {}
    children: list[tuple[int, str, str, Interval]] = []
    for number, chrom, feature, start, end, strand, attrs in _feature_rows(path, _gff3_attributes):
        ident = attrs.get("ID", [None])[0]
        parents = attrs.get("Parent", [])
        if feature == "gene" and ident:
            if ident in genes:
                raise InputFormatError(
                    path, f"gene ID {ident!r} is defined twice; IDs must be unique", number
                )
            genes[ident] = attrs
        elif feature in ("mRNA", "transcript") or (
            ident and parents and feature.endswith(("RNA", "transcript"))
        ):
            if not ident:
                raise InputFormatError(path, f"{feature} line has no ID attribute", number)
            tid = attrs.get("transcript_id", [_strip_prefix(ident)])[0]
            gene = genes.get(parents[0], {}) if parents else {}
            gene_id = attrs.get(
                "gene_id", gene.get("gene_id", [_strip_prefix(parents[0]) if parents else tid])
            )[0]
            gene_name = attrs.get("gene_name", gene.get("Name", gene.get("gene_name", [gene_id])))[0]
            if ident in transcripts:
                raise InputFormatError(
                    path,
                    f"{feature} ID {ident!r} is defined twice (first at line "
                    f"{transcripts[ident].line}); IDs must be unique",
                    number,
                )
            tx = Transcript(tid, gene_id, gene_name, chrom, strand, number)
            ttype = attrs.get("transcript_type") or attrs.get("biotype") or attrs.get("transcript_biotype")
            tx.transcript_type = ttype[0] if ttype else None
            tx.tags.update(attrs.get("tag", []))
            transcripts[ident] = tx
        elif feature in ("exon", "CDS", "stop_codon"):
            if not parents:
                raise InputFormatError(path, f"{feature} line has no Parent attribute", number)
            for parent in parents:
                children.append((number, parent, feature, (start + offset, end + offset)))
    for number, parent, feature, interval in children:
        if parent not in transcripts:
            raise InputFormatError(
                path, f"Parent {parent!r} is not a transcript defined in this file", number
            )
        _add_feature(transcripts[parent], feature, interval)
    for tx in transcripts.values():
        if tx.cds and not tx.stop_codon:
            tx.stop_codon = _stop_after_cds(tx)
    return list(transcripts.values())


def _stop_after_cds(tx: Transcript) -> list[Interval]:
    """GFF3 usually has no stop_codon feature: the 3 bp right after the CDS, within the exons."""
    if tx.strand == "+":
        end = max(e for _, e in tx.cds)
        return _walk_exons(tx.exons, end, 3, forward=True)
    start = min(s for s, _ in tx.cds)
    return _walk_exons(tx.exons, start, 3, forward=False)


def _walk_exons(exons: list[Interval], anchor: int, length: int, forward: bool) -> list[Interval]:
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


def _read_genepred(path: Path, offset: int) -> list[Transcript]:
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
            _int(path, number, v, c)
            for v, c in zip(fields[3:8], ("txStart", "txEnd", "cdsStart", "cdsEnd", "exonCount"), strict=True)
        )
        starts = [_int(path, number, v, "exonStarts") for v in fields[8].rstrip(",").split(",") if v]
        ends = [_int(path, number, v, "exonEnds") for v in fields[9].rstrip(",").split(",") if v]
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
                _walk_exons(coding, anchor, 3, forward=False)
                if strand == "+"
                else _walk_exons(coding, anchor, 3, forward=True)
            )
            tx.cds = _subtract(coding, tx.stop_codon)
        transcripts.append(tx)
    return transcripts


def _subtract(intervals: list[Interval], removed: list[Interval]) -> list[Interval]:
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
