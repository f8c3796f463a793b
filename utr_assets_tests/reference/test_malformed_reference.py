"""Malformed annotations (GTF, GFF3, genePred) and FASTA: each case asserts the error type, the file and
line (or record) in the message, and that nothing was written (no .fai beside a refused FASTA)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from utr_assets.common.errors import InputFormatError
from utr_assets.reference.annotation import read_annotation
from utr_assets.reference.fasta import Genome
from utr_assets_tests.malformed import refused

A = 'gene_id "g1"; transcript_id "t1"; gene_name "G1"; transcript_type "protein_coding";'
B = 'gene_id "g2"; transcript_id "t2"; gene_name "G2"; transcript_type "protein_coding";'
GTF_OK = f"chr1\tsrc\texon\t100\t200\t.\t+\t.\t{A}\n"
GTF_CASES = {
    # name: (text, line, match)
    "gtf_8_columns": (GTF_OK + "chr1\tsrc\texon\t300\t400\t.\t+\t.\n", 2, "expected 9 tab-separated columns"),
    "gtf_start_not_a_number": (
        GTF_OK + f"chr1\tsrc\texon\t3O0\t400\t.\t+\t.\t{A}\n",
        2,
        "start is not an integer",
    ),
    "gtf_start_fraction": (
        GTF_OK + f"chr1\tsrc\texon\t300.5\t400\t.\t+\t.\t{A}\n",
        2,
        "start is not an integer",
    ),
    "gtf_start_negative": (
        GTF_OK + f"chr1\tsrc\texon\t-5\t400\t.\t+\t.\t{A}\n",
        2,
        "start is not an integer",
    ),
    "gtf_end_before_start": (GTF_OK + f"chr1\tsrc\texon\t400\t300\t.\t+\t.\t{A}\n", 2, "invalid interval"),
    "gtf_bad_strand": (GTF_OK + f"chr1\tsrc\texon\t300\t400\t.\t*\t.\t{A}\n", 2, "strand must be"),
    "gtf_no_transcript_id": (
        GTF_OK + 'chr1\tsrc\texon\t300\t400\t.\t+\t.\tgene_id "g1";\n',
        2,
        "no transcript_id",
    ),
    "gtf_unclosed_quote": (
        GTF_OK + 'chr1\tsrc\texon\t300\t400\t.\t+\t.\tgene_id "g1; transcript_id t1;\n',
        2,
        "malformed GTF attributes",
    ),
    "gtf_transcript_id_reused_by_second_gene": (
        GTF_OK + 'chr1\tsrc\texon\t300\t400\t.\t+\t.\tgene_id "g2"; transcript_id "t1";\n',
        2,
        "transcript_id t1 is reused by gene g2",
    ),
    "gtf_transcript_changes_contig": (
        GTF_OK + f"chr2\tsrc\texon\t300\t400\t.\t+\t.\t{A}\n",
        2,
        "changes contig",
    ),
    "gtf_undecodable_byte": (GTF_OK + GTF_OK.replace("src", "sr\udce9") + GTF_OK, 2, "not UTF-8"),
}
GFF_HEAD = "##gff-version 3\nchr1\tsrc\tgene\t100\t900\t.\t+\t.\tID=gene:g1;Name=G1\n"
GFF_MRNA = "chr1\tsrc\tmRNA\t100\t900\t.\t+\t.\tID=transcript:t1;Parent=gene:g1;biotype=protein_coding\n"
GFF_CASES = {
    "gff3_transcript_id_twice": (GFF_HEAD + GFF_MRNA + GFF_MRNA, 4, "ID 'transcript:t1' is defined twice"),
    "gff3_gene_id_twice": (
        GFF_HEAD + GFF_HEAD.splitlines()[1] + "\n",
        3,
        "gene ID 'gene:g1' is defined twice",
    ),
    "gff3_attribute_without_equals": (
        GFF_HEAD + GFF_MRNA.replace("biotype=", "biotype "),
        3,
        "expected key=value",
    ),
    "gff3_exon_without_parent": (
        GFF_HEAD + GFF_MRNA + "chr1\tsrc\texon\t100\t200\t.\t+\t.\tID=e1\n",
        4,
        "no Parent attribute",
    ),
    "gff3_parent_unknown": (
        GFF_HEAD + GFF_MRNA + "chr1\tsrc\texon\t100\t200\t.\t+\t.\tParent=transcript:t9\n",
        4,
        "Parent 'transcript:t9' is not a transcript",
    ),
    "gff3_mrna_without_id": (
        GFF_HEAD + "chr1\tsrc\tmRNA\t100\t900\t.\t+\t.\tParent=gene:g1\n",
        3,
        "no ID attribute",
    ),
    "gff3_end_fraction": (GFF_HEAD + GFF_MRNA.replace("\t900\t", "\t900.0\t"), 3, "end is not an integer"),
}
GP = "t1\tchr1\t+\t100\t900\t200\t800\t2\t100,500,\t300,900,\n"
GP_CASES = {
    "genepred_transcript_twice": (GP + GP.replace("t1", "t2") + GP, 3, "transcript 't1' is listed twice"),
    "genepred_9_columns": (GP + "t2\tchr1\t+\t100\t900\t200\t800\t2\t100,500,\n", 2, "at least 10 columns"),
    "genepred_exoncount_mismatch": (GP + GP.replace("t1", "t2").replace("\t2\t", "\t3\t"), 2, "exonCount 3"),
    "genepred_cds_outside_transcript": (
        GP + GP.replace("t1", "t2").replace("\t800\t", "\t950\t"),
        2,
        "inconsistent coordinates",
    ),
    "genepred_bad_strand": (GP + GP.replace("t1", "t2").replace("\t+\t", "\t?\t"), 2, "strand must be"),
    "genepred_exon_start_fraction": (
        GP + GP.replace("t1", "t2").replace("100,500,", "100,500.5,"),
        2,
        "exonStarts is not an integer",
    ),
    "genepred_negative_position": (
        GP + GP.replace("t1", "t2").replace("\t100\t900", "\t-5\t900"),
        2,
        "txStart is not an integer",
    ),
}


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path


@pytest.mark.parametrize("case", sorted({**GTF_CASES, **GFF_CASES, **GP_CASES}))
def test_malformed_annotation(tmp_path: Path, case: str) -> None:
    text, line, match = {**GTF_CASES, **GFF_CASES, **GP_CASES}[case]
    suffix = {"gtf": ".gtf", "gff3": ".gff3", "genepred": ".gp"}[case.split("_")[0]]
    path = _write(tmp_path / f"bad{suffix}", text)
    refused(lambda: read_annotation(path), InputFormatError, path, line, match)


def test_truncated_gzip_annotation_names_the_line_reached(tmp_path: Path) -> None:
    path = tmp_path / "genes.gtf.gz"
    path.write_bytes(gzip.compress((GTF_OK * 2000).encode())[:-40])
    refused(
        lambda: read_annotation(path), InputFormatError, path, None, r"truncated or corrupt after line \d+"
    )


def test_empty_annotation_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "genes.gtf", "")
    refused(lambda: read_annotation(path), InputFormatError, path, None, "file is empty")


def test_bom_is_allowed_and_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "genes.gtf"
    path.write_bytes(b"\xef\xbb\xbf" + GTF_OK.encode())
    assert [tx.chrom for tx in read_annotation(path)] == ["chr1"]
    gp = tmp_path / "genes.gp"
    gp.write_bytes(b"\xef\xbb\xbf" + GP.encode())
    assert [tx.transcript_id for tx in read_annotation(gp)] == ["t1"]


FASTA_CASES = {
    "fasta_contig_twice": (">chr1\nACGT\n>chr2\nACGT\n>chr1 again\nACGT\n", 5, "'chr1' is defined twice"),
    "fasta_letter_not_a_nucleotide": (">chr1\nACGTACGT\nACGJACGT\nACG\n", 3, "'J' at column 4"),
    "fasta_digit_in_sequence": (">chr1\nACGT\n>chr2\nAC1T\n", 4, "'1' at column 3"),
    "fasta_protein_letters": (">chr1\nMEEPQSDPSV\n", 2, "'E' at column 2"),
    "fasta_no_header": ("ACGTACGT\n>chr1\nACGT\n", 1, "must start with a '>' header"),
    "fasta_header_without_name": (">chr1\nACGT\n>\nACGT\n", 3, "header line without a contig name"),
}


@pytest.mark.parametrize("case", sorted(FASTA_CASES))
def test_malformed_fasta(tmp_path: Path, case: str) -> None:
    text, line, match = FASTA_CASES[case]
    path = _write(tmp_path / "genome.fa", text)
    refused(lambda: Genome(path), InputFormatError, path, line, match)
    assert not Path(f"{path}.fai").exists()


def test_fasta_with_uneven_lines_names_the_contig(tmp_path: Path) -> None:
    path = _write(tmp_path / "genome.fa", ">chr1\nACGTACGT\nACG\nACGTACGT\n")
    refused(lambda: Genome(path), InputFormatError, path, 4, "contig 'chr1': line 3 is shorter")


def test_empty_and_plain_gzip_fasta_are_refused(tmp_path: Path) -> None:
    empty = _write(tmp_path / "empty.fa", "")
    refused(lambda: Genome(empty), InputFormatError, empty, None, "empty")
    plain_gz = tmp_path / "genome.fa.gz"
    plain_gz.write_bytes(gzip.compress(b">chr1\nACGT\n"))
    refused(lambda: Genome(plain_gz), InputFormatError, plain_gz, None, "not bgzip")


def test_fasta_replaced_by_an_older_file_gets_a_fresh_index(tmp_path: Path) -> None:
    """Before: the .fai was reused when it was newer than the FASTA, so a FASTA replaced by an older copy
    kept the old index (wrong contigs and offsets, 0 UTRs)."""
    path = _write(tmp_path / "genome.fa", ">chr1\nAAAAAAAA\nCCCC\n")
    with Genome(path) as genome:
        assert genome.contigs == {"chr1": 12}
    other = _write(tmp_path / "other.fa", ">chr22\nGGGGGGGGGGGGGGGGGGGG\nTT\n>chr2\nACGT\n")
    old = path.stat().st_mtime_ns - 3_600_000_000_000
    os.utime(other, ns=(old, old))
    os.replace(other, path)  # the replacement is an hour older than the .fai
    with Genome(path) as genome:
        assert genome.contigs == {"chr22": 22, "chr2": 4}
        assert genome.fetch("chr22", 18, 22) == "GGTT"
