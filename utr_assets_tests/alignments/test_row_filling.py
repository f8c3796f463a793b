"""Zoo-AL row choice and gap filling on hand-built rows, against the study's ``process_msa`` rule.

The study (heiniglab/investigating-foundation-models-3utr, dataset_prep/3utr/aligned/extract_fasta/utils/
maf_to_a2m.py) keeps the row closest to human and fills its gap columns from every other row in order of
Hamming distance (ties: contig name), skipping only rows that overlap a taken row in the species' own
genome coordinates on the same contig. Expected alignments below are worked out by hand from that rule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from utr_assets.alignments import extract_utrs
from utr_assets.alignments.projection import Fragment, SpeciesRow, choose_row, genome_span

HUMAN = "ACGTACGTACGTACGTACGT"


def _arr(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), np.uint8).copy()


def row(contig: str, text: str, sp_start: int, strand: str = "+", src_size: int = 1000) -> SpeciesRow:
    """One chained row made of one fragment over the whole UTR; ``sp_start`` on the row's own strand."""
    aligned = _arr(text)
    n = sum(c != "-" for c in text)
    r = SpeciesRow(contig, strand, aligned)
    r.add(
        Fragment(
            "mm10",
            contig,
            strand,
            src_size,
            sp_start,
            sp_start + n,
            0,
            len(text),
            0,
            len(text),
            aligned,
            aligned,
        )
    )
    return r


def chosen(rows: list[SpeciesRow]) -> str:
    return choose_row(rows, _arr(HUMAN)).aligned.tobytes().decode()


def test_rows_on_other_contigs_fill_gaps_even_when_they_share_columns() -> None:
    # the case: contig A on columns 0-11, contig B on 10-19 -> all 20 columns filled
    a = row("chrA", "ACGTACGTACGT--------", 0)  # Hamming 8: kept
    b = row("chrB", "----------GTACGTACGT", 500)  # Hamming 10, shares columns 10-11 with A
    c = choose_row([b, a], _arr(HUMAN))
    assert c.aligned.tobytes().decode() == HUMAN
    assert (c.hamming, [r.contig for r in c.rows_used]) == (8, ["chrA", "chrB"])


def test_row_overlapping_in_species_genome_is_skipped_though_columns_are_disjoint() -> None:
    a = row("chrA", "ACGTACGTACGT--------", 0)  # species chrA:[0, 12)
    b = row("chrA", "------------ACGTACGT", 5)  # chrA:[5, 13) overlaps A's bases in the species genome
    assert chosen([a, b]) == "ACGTACGTACGT--------"
    far = row("chrA", "------------ACGTACGT", 12)  # chrA:[12, 20) touches A but does not overlap
    assert chosen([a, far]) == HUMAN


def test_minus_strand_rows_are_compared_on_the_plus_strand() -> None:
    a = row("chrA", "ACGTACGTACGT--------", 0)  # chrA:[0, 12) on +
    # '-' row, row-strand [990, 998) of a 1000-nt contig = + strand [2, 10): overlaps A, skipped
    assert genome_span(row("chrA", "------------ACGTACGT", 990, "-")) == (2, 10)
    assert chosen([a, row("chrA", "------------ACGTACGT", 990, "-")]) == "ACGTACGTACGT--------"
    # row-strand [100, 108) = + strand [892, 900): no overlap, fills columns 12-19
    assert chosen([a, row("chrA", "------------ACGTACGT", 100, "-")]) == HUMAN


def test_a_row_overlapping_a_taken_filler_is_skipped() -> None:
    a = row("chrA", "ACGTACGTAC----------", 0)  # Hamming 10: kept
    b = row("chrB", "----------GTACG-----", 100)  # Hamming 15, chrB:[100, 105): taken
    c = row("chrB", "----------------ACGT", 102)  # Hamming 16, chrB:[102, 106) overlaps B: skipped
    assert chosen([c, b, a]) == "ACGTACGTACGTACG-----"
    # without B, C fills its columns
    assert chosen([c, a]) == "ACGTACGTAC------ACGT"


def test_equal_distance_goes_to_the_smaller_contig_name() -> None:
    # both Hamming 1; the study sorts by (hamming, contig): "chr10" < "chr9" as strings
    r9 = row("chr9", "ACGTACGTACGTACGTACGA", 0)
    r10 = row("chr10", "TCGTACGTACGTACGTACGT", 0)
    c = choose_row([r9, r10], _arr(HUMAN))
    assert c.aligned.tobytes().decode() == "TCGTACGTACGTACGTACGT"
    assert [r.contig for r in c.rows_used] == ["chr10"]  # chr9 overlaps nothing but fills no gap


def test_maf_rows_on_two_contigs_sharing_columns_fill_the_utr(tmp_path: Path) -> None:
    maf = tmp_path / "two.maf"
    maf.write_text(
        "##maf version=1\na score=1\n"
        f"s hg38.chr1 100 20 + 1000 {HUMAN}\n"
        "s mm10.chrA 0 12 + 500 ACGTACGTACGT--------\n"
        "s mm10.chrB 500 10 + 900 ----------GTACGTACGT\n\n"
    )
    region = dict(
        utr_id="u",
        gene_id="u",
        gene_name="u",
        transcript_id="u",
        chrom="chr1",
        start=100,
        end=120,
        strand="+",
        blocks="100-120",
        length=20,
        stop_codon_start=97,
        sequence=HUMAN,
    )
    aln, _, _ = extract_utrs(maf, pd.DataFrame([region]), "hg38", orthologs=False)
    mm = aln.set_index("species").loc["mm10"]
    assert (mm.aligned, mm.n_bases, mm.hamming, mm.n_rows, mm.contig) == (HUMAN, 20, 8, 2, "chrA")


def _frag(text: str, sp_start: int, h0: int, contig: str = "chrA") -> Fragment:
    aligned = _arr(text)
    n = sum(c != "-" for c in text)
    return Fragment(
        "mm10",
        contig,
        "+",
        1000,
        sp_start,
        sp_start + n,
        h0,
        h0 + len(text),
        100 + h0,
        100 + h0 + len(text),
        aligned,
        aligned,
    )


def test_fragments_of_a_block_take_the_rows_with_the_smallest_gap_first() -> None:
    from utr_assets.alignments.projection import chain_rows

    # block 1: two paralog fragments open rows R1 (species chrA:[96, 100)) and R2 ([98, 102))
    # block 2: F1 at 106 (gaps: R1 6, R2 4) listed before F2 at 103 (gaps: R1 3, R2 1). The study sorts
    # all pairs by gap: F2-R2 (1), then F1-R1 (6); taking fragments in turn would give F1-R2, F2-R1.
    frags = [_frag("ACGT", 96, 0), _frag("TTTT", 98, 0), _frag("GG--", 106, 4), _frag("CC--", 103, 4)]
    r1, r2 = chain_rows(frags, 8)["mm10"]
    assert r1.aligned.tobytes().decode() == "ACGTGG--" and r2.aligned.tobytes().decode() == "TTTTCC--"
    assert (r1.sp_end, r2.sp_end) == (108, 105)
