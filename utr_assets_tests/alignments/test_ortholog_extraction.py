"""Stop-codon anchored orthologs: the stop test, alignment-derived and assembly-derived sequences, strands."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from utr_assets.alignments import extract_utr_orthologs, extract_utrs, species_table
from utr_assets.common.sequences import reverse_complement

# human chr1:100-120 = ACG TAA CCCCGGGGTTTT ACGTA; stop codon TAA at [103,106), 3'UTR (+) at [106,118)
HUMAN = "ACGTAACCCCGGGGTTTTACGT"
MAF = (
    "##maf version=1\n"
    "a score=1\n"
    f"s hg38.chr1 100 {len(HUMAN)} + 1000 {HUMAN}\n"
    # mouse: same stop, one insertion column is impossible here (human has no gap); 2 substitutions
    "s mm10.chr5 40 22 + 500 ACGTAACCCAGGGGTTTAACGT\n"
    # dog on the - row: stop taa (lowercase) matches; its forward coordinates: 300 - 70 - 22 = 208
    "s canFam3.chr7 70 22 - 300 ACGtaaCCCCGGGGTTTTACGT\n"
    # rat: stop TGA differs -> not an ortholog, but still an aligned row
    "s rn6.chr2 10 22 + 400 ACGTGACCCCGGGGTTTTACGT\n"
)


class FakeGenome:
    """``fetch`` over a dict of forward-strand contigs (what pysam.FastaFile offers)."""

    def __init__(self, contigs: dict[str, str]):
        self.contigs = contigs

    def fetch(self, reference: str, start: int, end: int) -> str:
        return self.contigs[reference][start:end]


def _region(strand: str) -> dict:
    if strand == "+":
        utr, stop = (106, 118), 103
    else:  # a - gene whose stop codon (RNA TTA = DNA TAA revcomp) sits at [103,106): UTR at [94..103)
        utr, stop = (100, 103), 103
    dna = HUMAN[utr[0] - 100 : utr[1] - 100]
    seq = dna if strand == "+" else reverse_complement(dna)
    return dict(
        utr_id=f"u{strand}",
        gene_id="g",
        gene_name="g",
        transcript_id="t",
        chrom="chr1",
        start=utr[0],
        end=utr[1],
        strand=strand,
        blocks=f"{utr[0]}-{utr[1]}",
        length=len(seq),
        stop_codon_start=stop,
        sequence=seq,
    )


@pytest.fixture()
def maf(tmp_path: Path) -> Path:
    p = tmp_path / "o.maf"
    p.write_text(MAF)
    return p


def test_stop_test_and_alignment_sequences(maf: Path) -> None:
    orth, _ = extract_utr_orthologs(maf, pd.DataFrame([_region("+")]), "hg38")
    got = orth.set_index("species")
    assert list(orth.species) == ["hg38", "canFam3", "mm10"]  # rat's TGA fails the stop test
    assert got.loc["hg38", "sequence"] == "CCCCGGGGTTTT" and got.loc["hg38", "source"] == "reference"
    assert got.loc["mm10", "sequence"] == "CCCAGGGGTTTA"  # columns 6..17 of its row
    assert got.loc["canFam3", "sequence"] == "CCCCGGGGTTTT"
    # species gene strand: human + on a + row stays +, on a - row flips; stop_start is forward
    assert got.loc["mm10", "strand"] == "+" and got.loc["mm10", "stop_start"] == 43
    assert got.loc["canFam3", "strand"] == "-" and got.loc["canFam3", "stop_start"] == 300 - (70 + 6)


def test_assembly_mode_follows_strand_logic(maf: Path) -> None:
    # mouse chr5 forward: the row's bases at 40.., then more sequence after position 62
    mouse = "N" * 40 + "ACGTAACCCAGGGGTTTAACGT" + "GGGG"
    # dog: the - row is the reverse complement of forward [208, 230)
    dog_row = "ACGTAACCCCGGGGTTTTACGT"
    dog = "N" * 208 + reverse_complement(dog_row) + "N" * 70
    genomes = {"mm10": FakeGenome({"chr5": mouse}), "canFam3": FakeGenome({"chr7": dog})}
    orth, _ = extract_utr_orthologs(maf, pd.DataFrame([_region("+")]), "hg38", genomes=genomes)
    got = orth.set_index("species")
    # next L=12 bases after the species stop codon, in RNA orientation of the species gene
    assert got.loc["mm10", "sequence"] == "CCCAGGGGTTTA" and got.loc["mm10", "source"] == "assembly"
    assert got.loc["canFam3", "sequence"] == "CCCCGGGGTTTT" and got.loc["canFam3", "strand"] == "-"


def test_minus_gene_orthologs_are_rna_oriented(maf: Path) -> None:
    region = _region("-")
    orth, _ = extract_utr_orthologs(maf, pd.DataFrame([region]), "hg38")
    got = orth.set_index("species")
    assert got.loc["hg38", "sequence"] == region["sequence"] == "CGT"
    assert got.loc["mm10", "sequence"] == "CGT" and got.loc["mm10", "strand"] == "-"
    assert got.loc["canFam3", "strand"] == "+"  # - gene on a - row is + on the dog's contig


def test_species_table_counts(maf: Path) -> None:
    aln, orth, stats = extract_utrs(maf, pd.DataFrame([_region("+"), _region("-")]), "hg38")
    table = species_table(aln, orth).set_index("species")
    assert table.loc["rn6", "utrs_aligned"] == 2 and table.loc["rn6", "orthologs"] == 0
    assert table.loc["mm10", "orthologs"] == 2
    assert stats.coverage == {"u+": 3, "u-": 3}


def test_phast_mouse_ortholog_of_uc002zlh(real: Path, tmp_path: Path) -> None:
    import shutil

    import pysam

    from utr_assets_tests.alignments.test_alignment_projection import ZLH, region

    fa = tmp_path / "chr22.fa"
    shutil.copy(real / "phast_chr22/chr22.14500000-15500000.fa", fa)
    fasta = pysam.FastaFile(str(fa))
    df = pd.DataFrame(
        [region("uc002zlh.1", "chr22", ZLH, "-", lambda s, e: fasta.fetch("chr22", s, e).upper())]
    )
    orth, _ = extract_utr_orthologs(real / "phast_chr22/chr22.14500000-15500000.maf", df, "hg17")
    got = orth.set_index("species")
    # mouse mm5.chr6 (+ row) carries the TGA; its 3'UTR walks down chr6 from the stop codon
    assert got.loc["mm5", "contig"] == "chr6" and got.loc["mm5", "source"] == "alignment"
    assert set(orth.species) <= {"hg17", "rn3", "mm5", "galGal2", "fr1"}
    assert all(set(s) <= set("ACGTN") for s in orth.sequence)


def test_extract_utrs_to_dir_writes_tables_and_reuses_index(maf: Path, tmp_path: Path) -> None:
    import json

    from utr_assets.alignments import extract_utrs_to_dir

    regions = pd.DataFrame([_region("+"), _region("-")])
    first = extract_utrs_to_dir(maf, regions, tmp_path / "out", "hg38")
    second = extract_utrs_to_dir(maf, regions, tmp_path / "out", "hg38")
    assert first["index_rebuilt"] and not second["index_rebuilt"] and second["mode"] == "index"
    assert json.loads((tmp_path / "out/extraction_stats.json").read_text())["n_utrs"] == 2
    orth = pd.read_parquet(tmp_path / "out/utr3_orthologs.parquet")
    assert set(orth.species) == {"hg38", "mm10", "canFam3"}
    assert set(pd.read_parquet(tmp_path / "out/species.parquet").species) == {
        "hg38",
        "mm10",
        "canFam3",
        "rn6",
    }
