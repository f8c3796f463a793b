"""Malformed MAFs, and `extract-utrs` inputs that would give empty or mostly dropped results: each case
asserts the error type, the file and line in the message (or why the result is empty), and that nothing
was written (no output folder, no staging folder)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.index import build_maf_index, default_index_path
from utr_assets.alignments.reader import iter_maf_blocks
from utr_assets.cli import build_parser
from utr_assets.common.errors import InputFormatError
from utr_assets_tests.conftest import PHAST_OFFSET, PROJECT_ROOT
from utr_assets_tests.malformed import refused

MAF = """##maf version=1
a score=1
s hg17.chr22 10 8 + 1000 ACGTACGT
s rn3.chr2 5 8 + 500 ACGTACGT

a score=2
s hg17.chr22 30 8 + 1000 ACGTACGT
s rn3.chr2 20 8 + 500 ACGTACGT
"""
LINE7, LINE8 = "s hg17.chr22 30 8 + 1000 ACGTACGT", "s rn3.chr2 20 8 + 500 ACGTACGT"
PARSE_CASES = {
    # name: (old line, new line, reported line, match)
    "maf_letter_in_other_row": (
        LINE8,
        "s rn3.chr2 20 8 + 500 ACGTJCGT",
        8,
        "'J' at column 5, which is not a nucleotide",
    ),
    "maf_digit_in_reference_row": (LINE7, "s hg17.chr22 30 8 + 1000 ACGT1CGT", 7, "'1' at column 5"),
    "maf_size_disagrees": (LINE8, "s rn3.chr2 20 9 + 500 ACGTACGT", 8, "size field 9 disagrees"),
    "maf_columns_differ": (LINE8, "s rn3.chr2 20 9 + 500 ACGTACGTA", 8, "row has 9 columns"),
    "maf_bad_strand": (LINE8, "s rn3.chr2 20 8 * 500 ACGTACGT", 8, "strand must be"),
    "maf_start_not_a_number": (LINE8, "s rn3.chr2 2O 8 + 500 ACGTACGT", 8, "start is not an integer"),
    "maf_start_fraction": (LINE8, "s rn3.chr2 20.5 8 + 500 ACGTACGT", 8, "start is not an integer"),
    "maf_beyond_src_size": (LINE8, "s rn3.chr2 495 8 + 500 ACGTACGT", 8, "beyond srcSize"),
    "maf_6_fields": (LINE8, "s rn3.chr2 20 8 + ACGTACGT", 8, "has 6 fields, expected 7"),
    "maf_unknown_line_type": (LINE8, LINE8 + "\nx what is this", 9, "unknown line type"),
    "maf_i_line_before_its_row": (LINE8, "i rn3.chr2 C 0 C 0\n" + LINE8, 8, "'i' line must"),
    "maf_q_line_length": (LINE8, LINE8 + "\nq rn3.chr2 99999", 9, "'q' line must"),
    "maf_no_reference_row": (
        LINE7,
        "s mm5.chr1 30 8 + 1000 ACGTACGT",
        6,
        "no row of the reference species 'hg17'",
    ),
    "maf_reference_minus_strand": (LINE7, "s hg17.chr22 30 8 - 1000 ACGTACGT", 7, "'-' strand"),
    "maf_bad_score": ("a score=2", "a score=two", 6, "bad score"),
    "maf_text_before_first_block": (
        "##maf version=1",
        "##maf version=1\nhello",
        2,
        "line outside an alignment block",
    ),
}


@pytest.mark.parametrize("case", sorted(PARSE_CASES))
def test_malformed_maf(tmp_path: Path, case: str) -> None:
    old, new, line, match = PARSE_CASES[case]
    assert MAF.count(old) == 1
    path = tmp_path / "bad.maf"
    path.write_text(MAF.replace(old, new))
    refused(lambda: list(iter_maf_blocks(path, "hg17")), MafFormatError, path, line, match)


INDEX_CASES = {
    "maf_index_unsorted_reference": (LINE7, "s hg17.chr22 5 8 + 1000 ACGTACGT", 7, "not sorted"),
    "maf_index_reference_start_not_a_number": (
        LINE7,
        "s hg17.chr22 3x 8 + 1000 ACGTACGT",
        7,
        "not an integer",
    ),
    "maf_index_no_reference_row": (LINE7, "s mm5.chr1 30 8 + 1000 ACGTACGT", 6, "no row of the reference"),
}


@pytest.mark.parametrize("case", sorted(INDEX_CASES))
def test_malformed_maf_index_build(tmp_path: Path, case: str) -> None:
    old, new, line, match = INDEX_CASES[case]
    path = tmp_path / "bad.maf"
    path.write_text(MAF.replace(old, new))
    refused(lambda: build_maf_index(path, "hg17"), MafFormatError, path, line, match)


def test_truncated_gzip_maf(tmp_path: Path) -> None:
    path = tmp_path / "bad.maf.gz"
    path.write_bytes(gzip.compress(MAF.encode())[:-12])
    refused(
        lambda: list(iter_maf_blocks(path, "hg17")),
        (MafFormatError, InputFormatError, EOFError, OSError),
        path,
        None,
        "(?i)truncated|corrupt|end",
    )


# ---- extract-utrs: empty or mostly dropped results are errors that say why --------------------------------


def _extract(phast: dict[str, Path], out: Path, **overrides: str | None) -> None:
    options = {
        "--maf": str(phast["maf"]),
        "--annotation": str(phast["annotation"]),
        "--genome": str(phast["genome"]),
        "--out": str(out),
        "--reference-species": "hg17",
        "--selection": "all",
        "--coordinate-offset": str(PHAST_OFFSET),
        "--workers": "1",
        **overrides,
    }
    argv = ["extract-utrs", "--spliced"] + [x for k, v in options.items() if v is not None for x in (k, v)]
    args = build_parser().parse_args(argv)
    args.func(args)


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    folder.mkdir()
    return folder


def test_empty_maf_is_an_error(phast_slice: dict[str, Path], results: Path) -> None:
    for text in ("", "##maf version=1\n# nothing aligned\n"):
        phast_slice["maf"].write_text(text)
        refused(
            lambda: _extract(phast_slice, results / "out"),
            MafFormatError,
            phast_slice["maf"],
            None,
            "holds no alignment blocks",
            folder=results,
        )


def test_maf_contigs_named_without_chr_is_an_error_naming_the_styles(
    phast_slice: dict[str, Path], results: Path
):
    maf = phast_slice["maf"]
    maf.write_text(maf.read_text().replace("s hg17.chr22 ", "s hg17.22 "))
    message = refused(
        lambda: _extract(phast_slice, results / "out"),
        MafFormatError,
        maf,
        None,
        "no alignment block overlaps any of the 2 3'UTRs",
        folder=results,
    )
    assert "contig naming differs" in message and "'chr22' '22'" in message


def test_wrong_reference_species_names_the_block(phast_slice: dict[str, Path], results: Path) -> None:
    refused(
        lambda: _extract(phast_slice, results / "out", **{"--reference-species": "hg38"}),
        MafFormatError,
        phast_slice["maf"],
        2,
        "no row of the reference species 'hg38'",
        folder=results,
    )


def test_chrom_without_utrs_is_an_error_with_the_right_name(
    phast_slice: dict[str, Path], results: Path
) -> None:
    with pytest.raises(ValueError, match=r"--chrom 22: no 3'UTR on that contig.*did you mean chr22\?"):
        _extract(phast_slice, results / "out", **{"--chrom": "22"})
    assert not any(results.iterdir())


def test_damaged_maf_index_is_rebuilt(phast_slice: dict[str, Path], results: Path) -> None:
    """Before: a truncated .utridx.npz raised BadZipFile."""
    _extract(phast_slice, results / "first")
    index = default_index_path(phast_slice["maf"])
    index.write_bytes(index.read_bytes()[:100])
    _extract(phast_slice, results / "second")
    assert (results / "second" / "utr3_alignments.parquet").read_bytes() == (
        results / "first" / "utr3_alignments.parquet"
    ).read_bytes()
    assert build_maf_index(phast_slice["maf"], "hg17").n_blocks > 0 and index.stat().st_size > 100


def test_annotation_from_another_assembly_is_an_error_with_the_fraction(tmp_path: Path) -> None:
    """The sample annotation shifted by 7 bp stands for another assembly: nearly every stop codon is gone."""
    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

    sample = PROJECT_ROOT / "data" / "sample"
    genome_path = tmp_path / "genome.fa.gz"
    shutil.copy(sample / "genome" / "genome.fa.gz", genome_path)
    annotation = sample / "annotation" / "genes.gtf.gz"
    shifted = read_annotation(annotation, coordinate_offset=7)
    with Genome(genome_path) as genome:
        with pytest.raises(
            InputFormatError,
            match=r"(\d+) of (\d+) transcripts \((9\d|100)%\) have no stop codon.*"
            r"different assemblies.*max_invalid_stop_fraction",
        ) as info:
            select_utr3_regions(shifted, genome, Utr3Selection(), str(annotation))
        assert str(annotation) in str(info.value)
        table, excluded = select_utr3_regions(
            shifted, genome, Utr3Selection(max_invalid_stop_fraction=1.0), str(annotation)
        )  # the threshold setting accepts it
        assert excluded.reason.str.startswith("invalid_stop_codon").sum() > 10 * len(table)
        table, _ = select_utr3_regions(read_annotation(annotation), genome, Utr3Selection(), str(annotation))
        assert len(table) > 50  # the matching pair passes
