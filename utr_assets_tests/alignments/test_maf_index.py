"""MAF block index: queries against brute force, persistence and staleness, bgzip seeks, order errors."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from utr_assets.alignments import (
    MafFormatError,
    MafIndex,
    build_maf_index,
    iter_maf_blocks,
    load_or_build_index,
)
from utr_assets.alignments.mafio import RandomAccess

PHAST = "phast_chr22/chr22.14500000-15500000.maf"


def test_queries_match_brute_force(real: Path) -> None:
    maf = real / PHAST
    idx = build_maf_index(maf, "hg17", count_species=True)
    blocks = list(iter_maf_blocks(maf, "hg17"))
    assert idx.n_blocks == len(blocks) and idx.species_rows["hg17"] == len(blocks)
    rng = np.random.default_rng(0)
    for s in rng.integers(0, 1_000_000, 200).tolist():
        e = s + int(rng.integers(1, 5000))
        expected = {b.offset for b in blocks if b.ref_start < e and s < b.ref_end}
        assert set(idx.offsets[idx.query("chr22", s, e)].tolist()) == expected
    assert len(idx.query("chr1", 0, 10**9)) == 0


def test_save_load_stale_and_rebuild(real: Path, tmp_path: Path) -> None:
    maf = tmp_path / "x.maf"
    maf.write_bytes((real / PHAST).read_bytes())
    idx, rebuilt = load_or_build_index(maf, "hg17")
    assert rebuilt and Path(str(maf) + ".utridx.npz").exists()
    again, rebuilt = load_or_build_index(maf, "hg17")
    assert not rebuilt and np.array_equal(again.offsets, idx.offsets) and again.chroms == idx.chroms
    os.utime(maf, ns=(0, idx.maf_mtime_ns + 10**9))
    assert MafIndex.load(Path(str(maf) + ".utridx.npz")).is_stale(maf)
    _, rebuilt = load_or_build_index(maf, "hg17")
    assert rebuilt


def test_bgzip_random_access_reads_the_same_blocks(real: Path, tmp_path: Path) -> None:
    import pysam

    bgz = tmp_path / "x.maf.gz"
    pysam.tabix_compress(str(real / PHAST), str(bgz), force=True)
    plain, packed = build_maf_index(real / PHAST, "hg17"), build_maf_index(bgz, "hg17")
    assert packed.compression == "bgzip" and len(packed.members) > 1
    assert np.array_equal(plain.offsets, packed.offsets) and np.array_equal(plain.lengths, packed.lengths)
    data = (real / PHAST).read_bytes()
    with RandomAccess(bgz, "bgzip", packed.members) as ra:
        for r in (0, 700, packed.n_blocks - 1):
            o, n = int(packed.offsets[r]), int(packed.lengths[r])
            assert ra.read(o, n) == data[o : o + n]


def test_unsorted_reference_is_an_error_naming_the_line(tmp_path: Path) -> None:
    maf = tmp_path / "u.maf"
    maf.write_text("##maf\na\ns hg38.chr1 50 2 + 100 AC\n\na\ns hg38.chr1 10 2 + 100 GT\n")
    with pytest.raises(MafFormatError) as err:
        build_maf_index(maf, "hg38")
    assert err.value.line == 6 and "not sorted" in err.value.problem


def test_index_errors_name_absolute_lines(tmp_path: Path) -> None:
    maf = tmp_path / "m.maf"
    maf.write_text("##maf\n\na\ns hg38.chr1 0 2 + 100 AC\n\na\ns mm10.chr1 0 2 + 100 AC\n")
    with pytest.raises(MafFormatError) as err:
        build_maf_index(maf, "hg38")
    assert err.value.line == 6 and "no row of the reference species" in err.value.problem


def test_seek_read_errors_name_absolute_lines(tmp_path: Path) -> None:
    import pandas as pd

    from utr_assets.alignments import extract_utr_alignments

    maf = tmp_path / "m.maf"
    maf.write_text(
        "##maf\n\na\ns hg38.chr1 0 4 + 100 ACGT\n\na\ns hg38.chr1 4 4 + 100 ACGT\ns mm10.chr1 0 4 + 9 AC-T\n"
    )
    region = dict(
        utr_id="u",
        gene_id="g",
        gene_name="g",
        transcript_id="t",
        chrom="chr1",
        start=4,
        end=8,
        strand="+",
        blocks="4-8",
        length=4,
        stop_codon_start=1,
        sequence="ACGT",
    )
    with pytest.raises(MafFormatError) as err:
        extract_utr_alignments(maf, pd.DataFrame([region]), "hg38", index=build_maf_index(maf, "hg38"))
    assert err.value.line == 8 and "size field 4" in err.value.problem


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("chunk", [1, 2, 5, 64])
def test_block_start_scan_matches_a_line_by_line_reading(chunk: int, threads: int, tmp_path: Path) -> None:
    from utr_assets.alignments.block_scan import _file_block_starts

    rng = np.random.default_rng(chunk)
    lines = [
        b"a",
        b"s x.c 0 3 + 9 aca",
        b"",
        b"a score=1",
        b"i x.c N 0 C 0",
        b"e y.c 0 1 + 5 I",
        b"q x.c 999",
    ]
    for _ in range(20):
        text = b"\n".join(lines[k] for k in rng.integers(0, len(lines), int(rng.integers(0, 12))))
        text = text + (b"\n" if rng.random() < 0.5 else b"")
        expected, offset = [], 0
        for line in text.split(b"\n"):
            if line.startswith(b"a"):
                expected.append(offset)
            offset += len(line) + 1
        path = tmp_path / "scan.maf"
        path.write_bytes(text)
        with open(path, "rb") as f:
            found = _file_block_starts(f.fileno(), len(text), threads, chunk)
            assert [offset for offset, _ in found] == expected, text


def test_index_of_a_header_only_or_empty_file_has_no_blocks(tmp_path: Path) -> None:
    for name, text in (("empty.maf", b""), ("header.maf", b"##maf version=1\n# nothing aligned\n")):
        path = tmp_path / name
        path.write_bytes(text)
        assert build_maf_index(path, "hg38").n_blocks == 0


def test_a_large_file_without_blocks_fails_at_its_first_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "not_a.maf"
    path.write_bytes(b"##maf version=1\n" + b"# comment\n" * 200_000 + b">chr1\nACGT\n")
    with pytest.raises(MafFormatError, match=r"not_a\.maf:200002: line outside an alignment block: .>chr1"):
        build_maf_index(path, "hg38")
