"""Aligned projection (Zoo-AL rows): real phast chr22 MAF against an independent reading; synthetic cases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from utr_assets.alignments import build_maf_index, extract_utr_alignments, extract_utrs
from utr_assets.common.sequences import reverse_complement

OFFSET = 14_499_999  # phast slice: absolute = relative + OFFSET
MAF = "phast_chr22/chr22.14500000-15500000.maf"
FASTA = "phast_chr22/chr22.14500000-15500000.fa"


def region(utr_id: str, chrom: str, pieces: list[tuple[int, int]], strand: str, genome) -> dict:
    """A utr3_regions row built by hand; ``genome(s, e)`` returns + strand DNA."""
    dna = "".join(genome(s, e) for s, e in pieces)
    seq = reverse_complement(dna) if strand == "-" else dna
    start, end = pieces[0][0], pieces[-1][1]
    return dict(
        utr_id=utr_id,
        gene_id=utr_id,
        gene_name=utr_id,
        transcript_id=utr_id,
        chrom=chrom,
        start=start,
        end=end,
        strand=strand,
        blocks=",".join(f"{s}-{e}" for s, e in pieces),
        length=len(seq),
        stop_codon_start=start - 3 if strand == "+" else end,
        sequence=seq,
    )


def independent_reading(maf: Path, ref: str, species: str, pieces: list[tuple[int, int]]) -> str:
    """Per human position of the pieces (genome order), the species' letter in that MAF column, '-' if none.

    Written from the MAF text alone: walk every column of every block that has a reference row.
    """
    wanted = {p for s, e in pieces for p in range(s, e)}
    found: dict[int, str] = {}
    rows: list[list[str]] = []
    for line in maf.read_text().splitlines() + ["a"]:
        if line.startswith("a"):
            ref_rows = [r for r in rows if r[1].split(".")[0] == ref]
            if ref_rows:
                h = ref_rows[0]
                pos = int(h[2])
                sp = [r for r in rows if r[1].split(".")[0] == species]
                for col, letter in enumerate(h[6]):
                    if letter == "-":
                        continue
                    if pos in wanted:
                        letters = [r[6][col].upper() for r in sp if r[6][col] != "-"]
                        assert len(letters) <= 1, "fixture has one row per species over this UTR"
                        if letters:
                            found[pos] = letters[0]
                    pos += 1
            rows = []
        elif line.startswith("s"):
            rows.append(line.split())
    return "".join(found.get(p, "-") for s, e in pieces for p in range(s, e))


@pytest.fixture()
def phast(real: Path, tmp_path: Path):
    import pysam

    fa = tmp_path / "chr22.fa"
    shutil.copy(real / FASTA, fa)
    fasta = pysam.FastaFile(str(fa))
    return real / MAF, lambda s, e: fasta.fetch("chr22", s, e).upper()


# uc002zlh.1 (minus strand): 3'UTR exons [14636331,14636677) + [14638184,14638185) absolute, stop TGA after
ZLH = [(14636331 - OFFSET, 14636677 - OFFSET), (14638184 - OFFSET, 14638185 - OFFSET)]


@pytest.mark.parametrize(
    ("utr_id", "pieces", "strand"),
    [
        ("uc002zlh.1", ZLH, "-"),
        ("contiguous_plus", [(136400, 136600)], "+"),
        ("contiguous_minus", [(9000, 9800)], "-"),
    ],
)
@pytest.mark.parametrize("use_index", [False, True])
def test_phast_projection_matches_independent_reading(phast, utr_id, pieces, strand, use_index) -> None:
    maf, genome = phast
    df = pd.DataFrame([region(utr_id, "chr22", pieces, strand, genome)])
    index = build_maf_index(maf, "hg17") if use_index else None
    aln, stats = extract_utr_alignments(maf, df, "hg17", index=index)
    rows = aln.set_index("species")
    human = rows.loc["hg17", "aligned"]
    assert human == df.sequence[0] and rows.loc["hg17", "hamming"] == 0
    assert (aln.aligned.str.len() == df.length[0]).all()
    for species in ("rn3", "mm5"):
        expected = independent_reading(maf, "hg17", species, pieces)
        if strand == "-":
            expected = reverse_complement(expected)
        got = rows.loc[species, "aligned"] if species in rows.index else "-" * len(expected)
        assert got == expected, species
    assert stats.blocks_read < stats.blocks_total


def test_zlh_is_spliced_and_covered(phast) -> None:
    maf, genome = phast
    df = pd.DataFrame([region("uc002zlh.1", "chr22", ZLH, "-", genome)])
    aln, _ = extract_utr_alignments(maf, df, "hg17")
    assert df.length[0] == 347 and set(aln.species) == {"hg17", "rn3", "mm5", "galGal2", "fr1"}
    assert aln.set_index("species").loc["mm5", "n_rows"] == 2  # chr5 and chr6 pieces merged


SYN = (
    "##maf version=1\n"
    "a score=1\n"
    "s hg38.chr1 100 8 + 1000 ACG--TACGT\n"
    "s mm10.chr2 50 10 + 500 AaGTTTACGA\n"
    "s rn6.chr3 20 6 - 300 A-G--T-CGT\n"
    "\n"
    "a score=2\n"
    "s hg38.chr1 108 4 + 1000 GGCC\n"
    "s rn6.chr3 26 4 - 300 GGCA\n"
    "\n"
    "a score=3\n"
    "s hg38.chr1 112 4 + 1000 TTAA\n"
    "s mm10.chr2 61 4 + 500 TTAT\n"
    "s mm10.chr9 5 4 + 500 TTAA\n"
)


@pytest.mark.parametrize(("mm_start", "mm_rows"), [(61, 1), (200, 2)])
def test_synthetic_gap_columns_padding_strand_and_chaining(
    tmp_path: Path, mm_start: int, mm_rows: int
) -> None:
    maf = tmp_path / "syn.maf"
    maf.write_text(SYN.replace("mm10.chr2 61", f"mm10.chr2 {mm_start}"))
    ref = "ACGTACGTGGCCTTAA"  # chr1:100-116
    genome = lambda s, e: ref[s - 100 : e - 100]  # noqa: E731
    plus = region("u+", "chr1", [(101, 115)], "+", genome)
    minus = region("u-", "chr1", [(101, 115)], "-", genome)
    aln, _, _ = extract_utrs(maf, pd.DataFrame([plus, minus]), "hg38")
    got = {(r.utr_id, r.species): r for r in aln.itertuples()}
    # human-gap columns (block 1, columns 3-4) dropped, every row has the human length
    assert got[("u+", "hg38")].aligned == "CGTACGTGGCCTTA"
    # mm10 absent from block 2 -> padded. chr2 fragment at 61 chains (gap 1 after 60) -> one row; at 200 it
    # starts a second row, merged as it does not overlap. chr9 (TTA, Hamming 11) fills no gap: not counted.
    mm = got[("u+", "mm10")]
    assert (mm.aligned, mm.hamming, mm.n_rows, mm.contig) == (
        "AGTACGA----TTA",
        6 if mm_rows == 1 else 9,
        mm_rows,
        "chr2",
    )
    # lowercase is uppercased; a '-' MAF row is aligned to human + like any row; chained 21..26 then 26..30
    rn = got[("u+", "rn6")]
    assert (rn.aligned, rn.n_rows, rn.strand) == ("-GT-CGTGGCA---", 1, "-")
    assert got[("u-", "rn6")].aligned == reverse_complement("-GT-CGTGGCA---")
    assert got[("u-", "hg38")].aligned == minus["sequence"]


def test_stream_gzip_bgzip_index_and_workers_agree(real: Path, tmp_path: Path, phast) -> None:
    import gzip

    import pysam

    maf, genome = phast
    df = pd.DataFrame(
        [
            region("uc002zlh.1", "chr22", ZLH, "-", genome),
            region("c", "chr22", [(9000, 9800)], "+", genome),
            region("d", "chr22", [(500000, 503000)], "-", genome),
            region("e", "chr22", [(250100, 250600), (263500, 263700)], "+", genome),
            region("f", "chr22", [(760500, 761600)], "-", genome),
            region("g", "chr22", [(900000, 900500)], "+", genome),
        ]
    )
    base = extract_utrs(maf, df, "hg17")
    gz = tmp_path / "a.maf.gz"
    gz.write_bytes(gzip.compress(maf.read_bytes()))
    bgz = tmp_path / "b.maf.gz"
    pysam.tabix_compress(str(maf), str(bgz), force=True)
    for path, index in [
        (gz, None),
        (bgz, None),
        (maf, build_maf_index(maf, "hg17")),
        (bgz, build_maf_index(bgz, "hg17")),
    ]:
        for workers in (1, 2) if index is not None else (1,):  # two forked processes give the same tables
            other = extract_utrs(path, df, "hg17", index=index, workers=workers)
            pd.testing.assert_frame_equal(other[0], base[0])
            pd.testing.assert_frame_equal(other[1], base[1])
            assert other[2].coverage == base[2].coverage and other[2].coverage["f"] >= 2
