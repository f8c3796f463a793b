"""Annotation parsing: GTF, GFF3, genePred on real fixtures, and the errors bad files give."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from utr_assets.common.errors import InputFormatError
from utr_assets.reference.annotation import read_annotation
from utr_assets.reference.utr3 import utr3_blocks
from utr_assets_tests.conftest import PHAST_OFFSET


def test_kipoiseq_gtf_gives_the_annotated_3utr_coordinates(real: Path) -> None:
    gtf = real / "kipoiseq" / "chr22_ENST00000319363.gtf"
    (tx,) = read_annotation(gtf)
    assert tx.transcript_id == "ENST00000319363" and tx.strand == "+"
    # the GTF's own 3UTR feature: chr22 17590711-17596583 (1-based, inclusive)
    utr_line = next(line.split("\t") for line in gtf.read_text().splitlines() if "\t3UTR\t" in line)
    assert utr3_blocks(tx) == [(int(utr_line[3]) - 1, int(utr_line[4]))] == [(17590710, 17596583)]
    assert tx.stop_codon == [(17590707, 17590710)]
    assert max(e for _, e in tx.cds) == 17590707  # GTF CDS excludes the stop codon


def test_genepred_with_offset_cuts_the_stop_codon_off_the_cds(real: Path) -> None:
    txs = {
        t.transcript_id: t
        for t in read_annotation(
            real / "phast_chr22" / "chr22.14500000-15500000.gp", coordinate_offset=PHAST_OFFSET
        )
    }
    tx = txs["uc002zlh.1"]
    assert tx.strand == "-"
    assert tx.stop_codon == [(14638185 + PHAST_OFFSET, 14638188 + PHAST_OFFSET)]
    assert min(s for s, _ in tx.cds) == 14638188 + PHAST_OFFSET
    assert utr3_blocks(tx) == [
        (14636331 + PHAST_OFFSET, 14636677 + PHAST_OFFSET),
        (14638184 + PHAST_OFFSET, 14638185 + PHAST_OFFSET),
    ]
    assert txs["uc002zkr.2"].transcript_type == "non_coding"


def test_gff3_with_parents_and_no_stop_feature(tmp_path: Path) -> None:
    gff = tmp_path / "a.gff3"
    gff.write_text(
        "##gff-version 3\n"
        "chr1\t.\tgene\t1\t100\t.\t-\t.\tID=gene:G1;Name=ABC;gene_id=G1\n"
        "chr1\t.\tmRNA\t1\t100\t.\t-\t.\tID=transcript:T1;Parent=gene:G1;biotype=protein_coding;tag=Ensembl_canonical\n"
        "chr1\t.\texon\t1\t100\t.\t-\t.\tParent=transcript:T1\n"
        "chr1\t.\tCDS\t41\t90\t.\t-\t0\tParent=transcript:T1\n"
    )
    (tx,) = read_annotation(gff)
    assert (tx.transcript_id, tx.gene_id, tx.gene_name) == ("T1", "G1", "ABC")
    assert tx.tags == {"Ensembl_canonical"}
    assert tx.stop_codon == [(37, 40)]  # 3 bp below the minus-strand CDS
    assert utr3_blocks(tx) == [(0, 37)]


def _gtf_line(feature: str, start: int, end: int, attrs: str, strand: str = "+") -> str:
    return f"chr1\ttest\t{feature}\t{start}\t{end}\t.\t{strand}\t.\t{attrs}\n"


def test_gtf_line_without_transcript_id_names_file_and_line(tmp_path: Path) -> None:
    gtf = tmp_path / "bad.gtf"
    gtf.write_text(
        "#!header\n"
        + _gtf_line("exon", 1, 10, 'gene_id "G"; transcript_id "T";')
        + _gtf_line("CDS", 2, 9, 'gene_id "G";')
    )
    with pytest.raises(InputFormatError, match=r"bad\.gtf:3: CDS line has no transcript_id"):
        read_annotation(gtf)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("chr1\tx\texon\t1\n", r":1: expected 9 tab-separated columns, found 4"),
        ('chr1\tx\texon\tone\t10\t.\t+\t.\ttranscript_id "T";\n', r":1: start is not an integer"),
        ('chr1\tx\texon\t10\t5\t.\t+\t.\ttranscript_id "T";\n', r":1: invalid interval 10-5"),
        ('chr1\tx\texon\t1\t5\t.\t*\t.\ttranscript_id "T";\n', r":1: strand must be \+ or -"),
        ('chr1\tx\texon\t1\t5\t.\t+\t.\ttranscript_id "T" junk junk\n', r":1: malformed GTF attributes"),
    ],
)
def test_malformed_gtf_lines(tmp_path: Path, text: str, problem: str) -> None:
    gtf = tmp_path / "bad.gtf"
    gtf.write_text(text)
    with pytest.raises(InputFormatError, match=problem):
        read_annotation(gtf)


def test_empty_and_truncated_gzip_annotations(tmp_path: Path, real: Path) -> None:
    empty = tmp_path / "empty.gtf"
    empty.write_text("")
    with pytest.raises(InputFormatError, match=r"empty\.gtf: file is empty"):
        read_annotation(empty)
    content = (real / "kipoiseq" / "chr22_ENST00000319363.gtf").read_bytes()
    packed = gzip.compress(content * 20, mtime=0)
    truncated = tmp_path / "cut.gtf.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputFormatError, match=r"cut\.gtf\.gz:\d+: compressed stream is truncated"):
        read_annotation(truncated)


def test_genepred_exon_count_mismatch(tmp_path: Path) -> None:
    gp = tmp_path / "bad.gp"
    gp.write_text("t1\tchr1\t+\t0\t100\t10\t90\t2\t0,\t100,\n")
    with pytest.raises(InputFormatError, match=r"bad\.gp:1: exonCount 2 disagrees"):
        read_annotation(gp)
