"""Errors cross process boundaries intact: our error types pickle with their fields, and `extract-utrs
--workers 2` on a MAF with a bad block met in a forked worker prints the same message as one process
(before, the worker's MafFormatError could not be rebuilt in the parent: a bare BrokenProcessPool)."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import pytest

from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.index import build_maf_index
from utr_assets.cli import main
from utr_assets.common.errors import InputFormatError
from utr_assets.sources.errors import SourceChanged, SourceError, SourceTransient
from utr_assets_tests.conftest import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "data" / "sample"


@pytest.mark.parametrize(
    "error",
    [
        InputFormatError("/data/genes.gtf", "duplicate transcript", 12),
        InputFormatError("/data/g.fa", "empty"),
        MafFormatError("/data/chr1.maf", "bad row", 7),
        SourceChanged("gencode", "https://x/y.gtf.gz", "checksum"),
        SourceTransient("maf", "s3://b/k", "reset"),
        SourceError("a", "b", "c"),
    ],
)
def test_error_types_pickle_with_their_fields(error: Exception) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error) and vars(back) == vars(error)


def _bad_maf(tmp_path: Path) -> tuple[Path, int]:
    """chr1 of the sample MAF, plain, with a letter that is no nucleotide in a non-reference row of the block
    overlapping the first 3'UTR of chr1 (genome order): that UTR is in the first run, a forked worker's."""
    import pandas as pd

    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

    maf = tmp_path / "chr1.maf"
    maf.write_bytes(gzip.decompress((SAMPLE / "alignments" / "chr1.maf.gz").read_bytes()))
    with Genome(SAMPLE / "genome" / "genome.fa.gz") as genome:
        regions, _ = select_utr3_regions(
            read_annotation(SAMPLE / "annotation" / "genes.gtf.gz"), genome, Utr3Selection(), "genes.gtf.gz"
        )
    first = regions[regions.chrom == "chr1"].sort_values("start").iloc[0]
    index = build_maf_index(maf, "Homo_sapiens")
    row = int(index.query("chr1", int(first.start), int(first.end))[0])
    data = bytearray(maf.read_bytes())
    block = data[index.offsets[row] : index.offsets[row] + index.lengths[row]]
    lines = bytes(block).split(b"\n")
    k = next(
        i for i, ln in enumerate(lines) if ln.startswith(b"s ") and not ln.split()[1].startswith(b"Homo")
    )
    position = int(index.offsets[row]) + sum(len(x) + 1 for x in lines[:k]) + len(lines[k]) - 1
    data[position] = ord("J")
    maf.write_bytes(bytes(data))
    assert isinstance(regions, pd.DataFrame) and len(regions[regions.chrom == "chr1"]) >= 4
    return maf, bytes(data).count(b"\n", 0, position) + 1  # the 1-based line of the planted letter


def test_worker_error_is_the_one_process_error(tmp_path: Path, capsys) -> None:
    maf, line = _bad_maf(tmp_path)
    messages = {}
    for workers in ("1", "2"):
        code = main(
            [
                "extract-utrs",
                "--maf",
                str(maf),
                "--annotation",
                str(SAMPLE / "annotation" / "genes.gtf.gz"),
                "--genome",
                str(SAMPLE / "genome" / "genome.fa.gz"),
                "--out",
                str(tmp_path / f"out{workers}"),
                "--chrom",
                "chr1",
                "--workers",
                workers,
            ]
        )
        messages[workers] = capsys.readouterr().err
        assert code == 2, messages[workers]
        assert not (tmp_path / f"out{workers}").exists()  # nothing published
    assert messages["1"] == messages["2"]
    assert f"{maf}:{line}: sequence of " in messages["2"] and "'J'" in messages["2"], messages["2"]


def test_maf_format_error_is_an_input_format_error() -> None:
    error = MafFormatError("/data/chr1.maf", "bad row", 7)
    assert isinstance(error, InputFormatError) and isinstance(error, ValueError)
    assert (error.path, error.line, error.problem, str(error)) == (
        "/data/chr1.maf",
        7,
        "bad row",
        "/data/chr1.maf:7: bad row",
    )
