"""GTF and GFF3 annotation readers: feature lines (1-based inclusive) into `Transcript`s.

What belongs here: the 9-column feature rows, both attribute syntaxes, how each format ties exons, CDS and
stop codons to their transcript (GTF: `transcript_id`; GFF3: `ID`/`Parent`) and the checks that name the
file and line of a problem. Not here: the transcript model and stop-codon geometry (`transcripts.py`),
genePred (`genepred.py`), format detection (`annotation.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import iter_lines
from utr_assets.reference.transcripts import Interval, Transcript, add_feature, stop_after_cds, strict_int

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


Attributes = dict[str, list[str]]
FeatureRow = tuple[int, str, str, int, int, str, Attributes]


def _feature_rows(
    path: Path, attribute_parser: Callable[[Path, int, str], Attributes]
) -> Iterator[FeatureRow]:
    """Yield (line, chrom, feature, start0, end, strand, attributes) from GTF/GFF3 text."""
    for number, line in iter_lines(path):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 9:
            raise InputFormatError(path, f"expected 9 tab-separated columns, found {len(fields)}", number)
        chrom, _, feature, start, end, _, strand, _, attributes = fields
        start_1, end_1 = strict_int(path, number, start, "start"), strict_int(path, number, end, "end")
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


def read_gtf(path: Path, offset: int) -> list[Transcript]:
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
        add_feature(tx, feature, (start + offset, end + offset))
    for tx in transcripts.values():
        if tx.cds and not tx.stop_codon and "cds_end_NF" not in tx.tags:
            tx.stop_codon = stop_after_cds(tx)
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


def read_gff3(path: Path, offset: int) -> list[Transcript]:
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
        add_feature(transcripts[parent], feature, interval)
    for tx in transcripts.values():
        if tx.cds and not tx.stop_codon:
            tx.stop_codon = stop_after_cds(tx)
    return list(transcripts.values())
