"""MAF reader: real fixtures parse or fail with the documented error; compression; row naming; errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from utr_assets.alignments import MafFormatError, detect_compression, iter_maf_blocks, split_name

GOOD = [
    ("phast_chr22/chr22.14500000-15500000.maf", "hg17", 1415),
    ("biopython_maf/ucsc_test.maf", "hg16", 3),
    ("biopython_maf/bug2453.maf", "hg16", 3),
    ("biopython_maf/humor.maf", None, 2),
    ("bxpython_maf/mm8_chr7_tiny.maf", "mm8", 8),
    ("bxpython_maf/test_hg18.maf", None, 3),
    ("taffy/evolverMammals.maf.mini", None, 6),
]


@pytest.mark.parametrize(("name", "reference", "n_blocks"), GOOD)
def test_real_mafs_parse(real: Path, name: str, reference: str | None, n_blocks: int) -> None:
    blocks = list(iter_maf_blocks(real / name, reference))
    assert len(blocks) == n_blocks
    for b in blocks:
        assert all(len(t) == b.ncols for t in b.texts)
        assert all(len(t) - t.count(b"-") == n for t, n in zip(b.texts, b.sizes, strict=True))


def test_length_coords_mismatch_is_refused_naming_the_line(real: Path) -> None:
    path = real / "biopython_maf/length_coords_mismatch.maf"
    with pytest.raises(MafFormatError) as err:
        list(iter_maf_blocks(path))
    assert err.value.line == 9  # 's mm9.chr10 3013218 319 ...' has 219 bases
    assert f"{path}:9:" in str(err.value) and "size field 319" in str(err.value)


def test_i_e_q_lines_of_a_real_block(real: Path) -> None:
    # the first block of length_coords_mismatch.maf is valid and carries q and i lines; the second has e lines
    blocks = iter_maf_blocks(real / "biopython_maf/length_coords_mismatch.maf")
    first = next(blocks)
    assert first.status[1] == ("N", 0, "N", 0) and len(first.quality[1]) == first.ncols
    with pytest.raises(MafFormatError):
        next(blocks)


def test_bx_fixture_reference_rows(real: Path) -> None:
    blocks = list(iter_maf_blocks(real / "bxpython_maf/mm8_chr7_tiny.maf", "mm8"))
    assert all(b.species[b.ref] == "mm8" and b.ref_chrom == "chr7" for b in blocks)
    assert "-" in {s for b in blocks for s in b.strands}


def test_cactus_names_split_at_first_dot(real: Path) -> None:
    assert split_name("simCow_chr6.simCow.chr6") == ("simCow_chr6", "simCow.chr6")
    assert split_name("Canis_lupus_familiaris.chr1") == ("Canis_lupus_familiaris", "chr1")
    assert split_name("baboon") == ("baboon", "")
    blocks = list(iter_maf_blocks(real / "taffy/evolverMammals.maf.mini", "simHuman_chr6"))
    assert {b.ref_chrom for b in blocks} == {"simHuman.chr6"}
    assert "simCow_chr6" in blocks[0].species


def test_track_line_and_header_are_skipped(real: Path) -> None:
    b = next(iter_maf_blocks(real / "biopython_maf/ucsc_test.maf", "hg16"))
    assert b.line == 8 and b.score == 23262.0 and b.ref_start == 27578828


MINI = (
    "##maf version=1\n# comment\n\n"
    "a score=1\n"
    "s Homo_sapiens.chr1 10 5 + 100 AC-GTA\n"
    "s Canis_lupus_familiaris.chr2.1 3 6 - 50 ACTGTA\n"
    "i Canis_lupus_familiaris.chr2.1 N 0 C 0\n"
    "q Canis_lupus_familiaris.chr2.1 999999\n"
    "e Mus_musculus.chr3 7 10 + 90 I\n\n"
    "a score=2\n"
    "s Homo_sapiens.chr1 15 3 + 100 GGG\n"
)


def _write(tmp_path: Path, text: str, name: str = "x.maf") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_mini_cactus_style(tmp_path: Path) -> None:
    blocks = list(iter_maf_blocks(_write(tmp_path, MINI), "Homo_sapiens"))
    assert [b.line for b in blocks] == [4, 11]
    a = blocks[0]
    assert a.species == ["Homo_sapiens", "Canis_lupus_familiaris"] and a.contigs[1] == "chr2.1"
    assert a.empty[0][:2] == ("Mus_musculus", "chr3") and a.quality[1] == b"999999"
    assert (a.ref_chrom, a.ref_start, a.ref_end) == ("chr1", 10, 15)


@pytest.mark.parametrize("compress", ["gzip", "bgzip"])
def test_gzip_and_bgzip_stream_like_plain(real: Path, tmp_path: Path, compress: str) -> None:
    src = real / "phast_chr22/chr22.14500000-15500000.maf"
    out = tmp_path / ("x.maf.gz")
    if compress == "gzip":
        out.write_bytes(gzip.compress(src.read_bytes()))
    else:
        import pysam

        pysam.tabix_compress(str(src), str(out), force=True)
    assert detect_compression(out) == compress
    plain = [(b.line, b.offset, b.texts) for b in iter_maf_blocks(src, "hg17")]
    assert [(b.line, b.offset, b.texts) for b in iter_maf_blocks(out, "hg17")] == plain


def test_truncated_gzip_is_an_error(real: Path, tmp_path: Path) -> None:
    data = gzip.compress((real / "phast_chr22/chr22.14500000-15500000.maf").read_bytes())
    out = tmp_path / "cut.maf.gz"
    out.write_bytes(data[: len(data) // 2])
    with pytest.raises(MafFormatError, match="truncated gzip"):
        list(iter_maf_blocks(out, "hg17"))


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a\ns hg38.chr1 0 4 + 100 AC-G\n", 2, "size field 4 disagrees"),
        ("a\ns hg38.chr1 98 4 + 100 ACGT\n", 2, "beyond srcSize 100"),
        ("a\ns hg38.chr1 0 4 + 100 ACGT\ns mm10.chr1 0 3 + 100 ACG\n", 3, "columns"),
        ("##maf\na\ns mm10.chr1 0 4 + 100 ACGT\n", 2, "no row of the reference species 'hg38'"),
        ("a\ns hg38.chr1 0 4 * 100 ACGT\n", 2, "strand"),
        ("a\ns hg38.chr1 x 4 + 100 ACGT\n", 2, "start is not an integer"),
        ("a\ns hg38.chr1 0 4 + 100\n", 2, "6 fields"),
        ("s hg38.chr1 0 4 + 100 ACGT\n", 1, "outside an alignment block"),
        ("a\ns hg38.chr1 0 4 + 100 ACGT\nz what\n", 3, "unknown line type"),
    ],
)
def test_malformed_input_names_file_line_problem(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(MafFormatError) as err:
        list(iter_maf_blocks(path, "hg38"))
    assert err.value.line == line and problem in err.value.problem
    assert str(err.value).startswith(f"{path}:{line}: ")
