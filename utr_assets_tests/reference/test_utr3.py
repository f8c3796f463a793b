"""3'UTR selection on real annotations: coordinates, strand, stop codons, exclusion reasons."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest

from utr_assets.common.errors import InputFormatError
from utr_assets.common.sequences import reverse_complement
from utr_assets.reference.annotation import read_annotation
from utr_assets.reference.fasta import Genome
from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions
from utr_assets_tests.conftest import PHAST_OFFSET


def _write_fasta(path: Path, contigs: dict[str, str]) -> Path:
    with open(path, "w") as out:
        for name, seq in contigs.items():
            out.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                out.write(seq[i : i + 60] + "\n")
    return path


def test_kipoiseq_utr_from_a_genome_carrying_its_golden_sequence(real: Path, tmp_path: Path) -> None:
    """No FASTA ships with this fixture: place the golden 3'UTR (and a TGA stop) at the GTF's coordinates."""
    golden = (real / "kipoiseq" / "chr22_ENST00000319363_3UTR.ref_seq.txt").read_text().strip()
    start, end = 17590710, 17596583
    assert len(golden) == end - start
    chrom = "N" * (start - 3) + "TGA" + golden + "N" * 1000
    genome = Genome(_write_fasta(tmp_path / "g.fa", {"chr22": chrom}))
    txs = read_annotation(real / "kipoiseq" / "chr22_ENST00000319363.gtf")
    table, excluded = select_utr3_regions(txs, genome, Utr3Selection(transcript_selection="all"), "k.gtf")
    assert excluded.empty
    (row,) = table.itertuples()
    assert (row.chrom, row.start, row.end, row.strand, row.length) == ("chr22", start, end, "+", end - start)
    assert row.blocks == f"{start}-{end}" and row.stop_codon_start == start - 3 and row.stop_codon == "TGA"
    assert row.sequence == golden.upper()


def test_phast_uc002zlh_spliced_minus_strand_utr(phast_slice: dict[str, Path]) -> None:
    txs = read_annotation(phast_slice["annotation"], coordinate_offset=PHAST_OFFSET)
    genome = Genome(phast_slice["genome"])
    table, excluded = select_utr3_regions(txs, genome, Utr3Selection("all", spliced_utrs=True), "gp")
    row = table.set_index("utr_id").loc["uc002zlh.1"]
    assert row.strand == "-" and row.stop_codon == "TGA"
    assert (row.start - PHAST_OFFSET, row.end - PHAST_OFFSET) == (14636331, 14638185)
    assert row.end - row.start == 1854  # the 3'UTR's genomic span; 347 nt of it are exonic
    assert row.length == 347 and row.blocks.count(",") == 1
    plain = "".join(line.strip() for line in phast_slice["genome"].read_text().splitlines()[1:]).upper()
    blocks = [
        (14636331 + PHAST_OFFSET, 14636677 + PHAST_OFFSET),
        (14638184 + PHAST_OFFSET, 14638185 + PHAST_OFFSET),
    ]
    expected = reverse_complement("".join(plain[s:e] for s, e in blocks))
    assert row.sequence == expected
    assert reverse_complement(plain[row.end : row.end + 3]) == "TGA"
    # the study's default keeps single-exon 3'UTRs only: this one is reported as spliced, not lost
    table, excluded = select_utr3_regions(txs, genome, Utr3Selection("all"), "gp")
    assert "uc002zlh.1" not in set(table.utr_id)
    assert excluded.set_index("transcript_id").loc["uc002zlh.1", "reason"] == "spliced_3utr"
    assert excluded.reason.str.startswith("invalid_stop_codon").any()


def test_fasta_missing_the_annotation_contig_names_both_files(
    phast_slice: dict[str, Path], tmp_path: Path
) -> None:
    txs = read_annotation(phast_slice["annotation"], coordinate_offset=PHAST_OFFSET)
    genome = Genome(_write_fasta(tmp_path / "other.fa", {"22": "ACGT" * 300_000}))
    with pytest.raises(
        InputFormatError,
        match=r"other\.fa: contig 'chr22' of transcript \S+ \(annotation "
        r"a\.gp line \d+\) is not in the FASTA \(the FASTA names it '22'",
    ):
        select_utr3_regions(txs, genome, Utr3Selection("all"), "a.gp")


def test_canonical_selection_needs_tags(phast_slice: dict[str, Path]) -> None:
    txs = read_annotation(phast_slice["annotation"], coordinate_offset=PHAST_OFFSET)
    with pytest.raises(InputFormatError, match="no protein-coding transcript carries a canonical tag"):
        select_utr3_regions(txs, Genome(phast_slice["genome"]), Utr3Selection("canonical"), "a.gp")


def test_canonical_and_longest_selection(tmp_path: Path) -> None:
    seq = "ATG" + "GCC" * 10 + "TAA" + "ACGT" * 10 + "AAAA"
    genome = Genome(_write_fasta(tmp_path / "g.fa", {"chr1": seq, "chr1_KI270706v1_random": seq}))
    lines = []
    for tid, cds_end, tag, chrom in (
        ("T1", 33, "Ensembl_canonical", "chr1"),
        ("T2", 30, "", "chr1"),
        ("T3", 33, "Ensembl_canonical", "chr1_KI270706v1_random"),
    ):
        attrs = (
            f'gene_id "G{tid[-1] if chrom != "chr1" else ""}"; transcript_id "{tid}"; '
            f'transcript_type "protein_coding";' + (f' tag "{tag}";' if tag else "")
        )
        lines.append(f"{chrom}\tt\texon\t1\t{len(seq)}\t.\t+\t.\t{attrs}\n")
        lines.append(f"{chrom}\tt\tCDS\t1\t{cds_end}\t.\t+\t0\t{attrs}\n")
    gtf = tmp_path / "a.gtf"
    gtf.write_text("".join(lines))
    txs = read_annotation(gtf)
    table, excluded = select_utr3_regions(txs, genome, Utr3Selection("canonical"), gtf)
    assert list(table.utr_id) == ["T1"] and table.sequence[0] == "ACGT" * 10 + "AAAA"
    reasons = dict(zip(excluded.transcript_id, excluded.reason, strict=True))
    assert reasons == {"T2": "not_canonical", "T3": "non_primary_contig"}
    table, excluded = select_utr3_regions(txs, genome, Utr3Selection("longest_cds"), gtf)
    assert list(table.utr_id) == ["T1"]
    # T2's "stop codon" right after its CDS is GCC: reported, not silently dropped
    table, excluded = select_utr3_regions(txs, genome, Utr3Selection("all"), gtf)
    assert dict(zip(excluded.transcript_id, excluded.reason, strict=True))["T2"] == "invalid_stop_codon:GCC"


def test_bgzip_genome_and_refusals(tmp_path: Path) -> None:
    plain = _write_fasta(tmp_path / "g.fa", {"chr1": "ACGT" * 100})
    pysam.tabix_compress(str(plain), str(tmp_path / "g.fa.gz"))
    with Genome(tmp_path / "g.fa.gz") as genome:
        assert genome.contigs == {"chr1": 400} and genome.fetch("chr1", 2, 6) == "GTAC"
    import gzip

    (tmp_path / "plain.fa.gz").write_bytes(gzip.compress(plain.read_bytes()))
    with pytest.raises(InputFormatError, match=r"plain\.fa\.gz: FASTA is gzip-compressed but not bgzip"):
        Genome(tmp_path / "plain.fa.gz")
    (tmp_path / "empty.fa").write_text("")
    with pytest.raises(InputFormatError, match=r"empty\.fa: FASTA file is empty"):
        Genome(tmp_path / "empty.fa")
    (tmp_path / "nohead.fa").write_text("ACGT\n")
    with pytest.raises(InputFormatError, match=r"nohead\.fa:1: FASTA must start with a '>' header"):
        Genome(tmp_path / "nohead.fa")
    data = (tmp_path / "g.fa.gz").read_bytes()
    (tmp_path / "cut.fa.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFormatError, match=r"cut\.fa\.gz: bgzip file is truncated"):
        Genome(tmp_path / "cut.fa.gz")
