"""Source readers on real public files (Siegel, Agarwal, phyloP wiggle) and on small hand-written
files in the real layouts (narrowPeak, RBNS, ClinVar, gnomAD, eQTL Catalogue, CADD, Griesemer)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from utr_assets.common.errors import InputFormatError
from utr_assets.tasks.readers import expression as se
from utr_assets.tasks.readers import rbp as sr
from utr_assets.tasks.readers import tracks as st
from utr_assets.tasks.readers import variants as sv

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"


@pytest.fixture(scope="module")
def real() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"real fixtures not found at {REAL} (they live in ../shared beside the project)")
    return REAL


def test_real_siegel_beas2b(real):
    table = se.read_siegel(real / "saluki" / "siegel2022_beas2b_seq_activity.txt.gz", "Beas2B", "activity")
    assert len(table) == 4462
    assert set(table["cell_line"]) == {"Beas2B"} and set(table["target"]) == {"activity"}
    assert table["sequence"].str.fullmatch("[ACGTN]+").all()
    assert table["value"].iloc[0] == pytest.approx(-0.092267955373)
    assert table["oligo_id"].is_unique


def test_real_agarwal_half_life_with_folds(real):
    table = se.read_half_life(
        real / "saluki" / "agarwal2022_human_halflife_PC1.txt",
        real / "saluki" / "agarwal2022_binnedgenes.txt",
    )
    assert len(table) == 12981 and table.attrs["dropped_without_fold"] == 13921 - 12981
    assert table["fold"].nunique() == 10 and table["gene_id"].is_unique
    first = table.set_index("gene_id").loc["ENSG00000000003"]
    assert first["gene_name"] == "TSPAN6" and first["value"] == pytest.approx(8.66095460281751)
    assert first["fold"] == 7
    with pytest.raises(InputFormatError, match="binned-genes"):
        se.read_half_life(real / "saluki" / "agarwal2022_human_halflife_PC1.txt")


def test_real_phylop_wiggle(real):
    path = real / "taffy" / "hg38_chr22_22000000_22100000.phyloP.wig"
    track = st.read_wiggle(path)
    pos, val = track.data["chr22"]
    assert pos[0] == 22_000_000 and pos[-1] == 22_099_999 and len(pos) == 100_000  # start=22000001 is 1-based
    got = track.values("22", np.array([21_999_999, 22_000_000, 22_000_001, 22_100_000]))
    assert np.isnan(got[0]) and got[1] == pytest.approx(-1.301) and got[2] == pytest.approx(0.663)
    assert np.isnan(got[3])
    sub = st.read_wiggle(path, regions=[("chr22", 22_000_010, 22_000_020)])
    assert len(sub.data["chr22"][0]) == 10


def test_wiggle_variable_step_span_and_errors(tmp_path):
    path = tmp_path / "t.wig"
    path.write_text(
        "track type=wiggle_0\nvariableStep chrom=chr1 span=2\n10 1.5\n20 -2\n"
        "fixedStep chrom=chr2 start=5 step=3\n0.1\n0.2\n"
    )
    track = st.read_wiggle(path)
    assert track.data["chr1"][0].tolist() == [9, 10, 19, 20]
    assert track.data["chr2"][0].tolist() == [4, 7]
    bad = tmp_path / "bad.wig"
    bad.write_text("fixedStep chrom=chr1 start=1 step=1\n0.5\nabc\n")
    with pytest.raises(InputFormatError, match=r"bad.wig:3"):
        st.read_wiggle(bad)
    orphan = tmp_path / "orphan.wig"
    orphan.write_text("0.5\n")
    with pytest.raises(InputFormatError, match="before any"):
        st.read_wiggle(orphan)


def test_narrowpeak_and_experiment_list(tmp_path):
    (tmp_path / "eclip").mkdir()
    with gzip.open(tmp_path / "eclip" / "PUM2_K562.IDR.narrowPeak.gz", "wt") as h:
        h.write(
            "chr1\t100\t150\t.\t1000\t+\t4.2\t12.5\t-1\t-1\nchr1\t300\t320\t.\t1000\t-\t2.0\t5.0\t-1\t-1\n"
        )
    (tmp_path / "exp.tsv").write_text(
        "rbp\tcell_line\taccession\tfile\nPUM2\tK562\tENCFF1\teclip/PUM2_K562.IDR.narrowPeak.gz\n"
    )
    peaks = sr.read_eclip_peaks(tmp_path / "exp.tsv")
    assert peaks[["rbp", "chrom", "start", "end", "strand"]].values.tolist() == [
        ["PUM2", "chr1", 100, 150, "+"],
        ["PUM2", "chr1", 300, 320, "-"],
    ]
    bad = tmp_path / "bad.narrowPeak"
    bad.write_text(
        "chr1\t100\t150\t.\t1000\t+\t4.2\t12.5\t-1\t-1\nchr1\t200\t150\t.\t1000\t+\t1\t1\t-1\t-1\n"
    )
    with pytest.raises(InputFormatError, match=r"bad.narrowPeak:2: bad interval"):
        sr.read_narrowpeak(bad, "X")
    (tmp_path / "short.narrowPeak").write_text("chr1\t1\t2\n")
    with pytest.raises(InputFormatError, match="10 tab-separated"):
        sr.read_narrowpeak(tmp_path / "short.narrowPeak", "X")


def test_encode_metadata_layout(tmp_path):
    (tmp_path / "ENCFF001ABC.bed.gz").write_bytes(gzip.compress(b"chr2\t5\t9\t.\t1000\t+\t1\t1\t-1\t-1\n"))
    (tmp_path / "metadata.tsv").write_text(
        "File accession\tFile format\tExperiment target\tBiosample term name\n"
        "ENCFF001ABC\tbed narrowPeak\tRBFOX2-human\tHepG2\n"
    )
    peaks = sr.read_eclip_peaks(tmp_path / "metadata.tsv")
    assert peaks["rbp"].tolist() == ["RBFOX2"] and peaks["start"].tolist() == [5]


def test_rbns_tables(tmp_path):
    (tmp_path / "long.tsv").write_text("rbp\tkmer\tR\nPUM2\tUGUAA\t5.1\nPUM2\tTGTAT\t4.0\nQKI\tACUAA\t3.3\n")
    long = sr.read_rbns_enriched(tmp_path / "long.tsv")
    assert long[["rbp", "kmer"]].values.tolist() == [["PUM2", "TGTAA"], ["PUM2", "TGTAT"], ["QKI", "ACTAA"]]
    assert long["enrichment"].tolist() == [5.1, 4.0, 3.3]
    (tmp_path / "badk.tsv").write_text("rbp\tkmer\nPUM2\tUGXAA\n")
    with pytest.raises(InputFormatError, match=r"badk.tsv:2"):
        sr.read_rbns_enriched(tmp_path / "badk.tsv")


VCF_HEADER = (
    "##fileformat=VCFv4.2\n##contig=<ID=1,length=100000>\n##contig=<ID=chr1,length=100000>\n"
    '##FILTER=<ID=PASS,Description="All filters passed">\n##FILTER=<ID=AS_VQSR,Description="failed">\n'
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="sig">\n'
    '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="rev">\n'
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="AC">\n##INFO=<ID=AN,Number=1,Type=Integer,Description="AN">\n'
    '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
)


def test_clinvar_filters_significance_and_review_status(tmp_path):
    path = tmp_path / "clinvar.vcf"
    path.write_text(
        VCF_HEADER
        + "1\t100\t1\tA\tG\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=criteria_provided,_single_submitter\n"
        + "1\t200\t2\tC\tT\t.\t.\tCLNSIG=Likely_pathogenic;CLNREVSTAT=no_assertion_criteria_provided\n"
        + "1\t300\t3\tG\tA\t.\t.\tCLNSIG=Conflicting_classifications_of_pathogenicity;"
        "CLNREVSTAT=criteria_provided,_conflicting_classifications\n"
        + "1\t400\t4\tT\tC\t.\t.\tCLNSIG=Benign;CLNREVSTAT=reviewed_by_expert_panel\n"
        + "1\t500\t5\tTA\tT\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=reviewed_by_expert_panel\n"
        + "1\t600\t6\tG\tC\t.\t.\tCLNSIG=Pathogenic/Likely_pathogenic|risk_factor;"
        "CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts\n"
    )
    kept = sv.read_clinvar(path)
    assert kept[["chrom", "pos", "ref", "alt"]].values.tolist() == [
        ["1", 100, "A", "G"],
        ["1", 600, "G", "C"],
    ]
    assert len(sv.read_clinvar(path, pathogenic_only=False)) == 5  # the indel is never returned


def test_gnomad_ac_af_per_allele_and_filter(tmp_path):
    path = tmp_path / "gnomad.vcf"
    path.write_text(
        VCF_HEADER
        + "chr1\t10\t.\tA\tG,T\t.\tPASS\tAC=1,900;AN=1000;AF=0.001,0.9\n"
        + "chr1\t20\t.\tC\tT\t.\tAS_VQSR\tAC=1;AN=1000;AF=0.001\n"
    )
    table = sv.read_gnomad(path)
    assert table[["alt", "ac", "af"]].values.tolist() == [
        ["G", 1, pytest.approx(0.001)],
        ["T", 900, pytest.approx(0.9)],
    ]
    assert len(sv.read_gnomad(path, pass_only=False)) == 3


def test_bad_vcf_names_file_and_line(tmp_path):
    path = tmp_path / "broken.vcf"
    path.write_text(VCF_HEADER + "chr1\t10\t.\tA\tG\t.\tPASS\tAC=1;AN=10;AF=0.1\nchr1\tnotanumber\t.\tA\n")
    with pytest.raises(InputFormatError, match=r"broken.vcf(:\d+)?: "):
        sv.read_gnomad(path)
    with pytest.raises(InputFormatError, match="file not found"):
        sv.read_vcf_snvs(tmp_path / "missing.vcf.gz")


def test_eqtl_catalogue_credible_sets(tmp_path):
    cols = "molecular_trait_id\tgene_id\tcs_id\tvariant\trsid\tcs_size\tpip\tpvalue\tbeta\tse\tz\tcs_min_r2\tregion\n"
    path = tmp_path / "QTD000001.credible_sets.tsv"
    path.write_text(
        cols
        + "ENSG1\tENSG1\tENSG1_L1\tchr1_1000_A_G\trs1\t2\t0.9\t1e-30\t0.5\t0.05\t10\t0.9\tchr1:1-2\n"
        + "ENSG1\tENSG1\tENSG1_L1\tchr1_1010_AT_A\trs2\t2\t0.1\t1e-29\t0.5\t0.05\t10\t0.9\tchr1:1-2\n"
    )
    table = sv.read_eqtl_susie(path)
    assert table[["chrom", "pos", "ref", "alt", "pip", "pvalue"]].values.tolist() == [
        ["chr1", 1000, "A", "G", 0.9, 1e-30]
    ]
    bad = tmp_path / "bad.tsv"
    bad.write_text(cols + "ENSG1\tENSG1\tx\tchr1_10x_A_G\trs1\t1\t0.9\t1e-30\t0\t1\t0\t1\tr\n")
    with pytest.raises(InputFormatError, match=r"bad.tsv:2: .*not an integer"):
        sv.read_eqtl_susie(bad)


def test_cadd_training_and_score_table(tmp_path):
    header = (
        "##fileformat=VCFv4.1\n##contig=<ID=1,length=1000>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )
    (tmp_path / "simulation_SNVs.vcf").write_text(header + "1\t10\t.\tA\tC\t.\t.\t.\n")
    (tmp_path / "humanDerived_SNVs.vcf").write_text(
        header + "1\t20\t.\tG\tT\t.\t.\t.\n1\t30\t.\tG\tGA\t.\t.\t.\n"
    )
    train = sv.read_cadd_training(tmp_path / "simulation_SNVs.vcf", tmp_path / "humanDerived_SNVs.vcf")
    assert train[["pos", "cadd_class"]].values.tolist() == [[10, "simulated"], [20, "human_derived"]]
    scores = tmp_path / "whole_genome_SNVs.tsv"
    scores.write_text(
        "## CADD GRCh38-v1.7 (c) University of Washington\n#Chrom\tPos\tRef\tAlt\tRawScore\tPHRED\n"
        "1\t10\tA\tC\t0.5\t5.1\n1\t10\tA\tG\t1.5\t12.0\n1\t10\tA\tT\t-0.2\t1.0\n1\t11\tC\tA\t0.1\t2.0\n"
    )
    table = st.read_cadd_scores(scores, regions=[("chr1", 9, 10)])
    assert len(table) == 3
    assert st.cadd_position_max(table)["raw_score_max"].tolist() == [1.5]


def test_griesemer_both_layouts(tmp_path):
    info = tmp_path / "oligo_info.tsv"
    info.write_text(
        "oligo_id\tvariant_id\tgene_id\tchrom\tstrand\toligo_start\toligo_end\tvar_pos\tref_allele\t"
        "alt_allele\tref_sequence\talt_sequence\n"
        "o1\tchr1:15:A:G\tG1\tchr1\t+\t10\t19\t15\tA\tG\tACGTAACGTA\tACGTAGCGTA\n"
        "o2\tchr1:40:C:T\tG1\tchr1\t+\t35\t44\t40\tC\tT\tTTTTTCTTTT\tTTTTTTTTTT\n"
    )
    per_cell = tmp_path / "HMEC.tsv"
    per_cell.write_text(
        "oligo_id\tlog2FoldChange_ref\tlfcSE_ref\tlog2FoldChange_alt\tlfcSE_alt\n"
        "o1\t0.5\t0.1\t0.7\t0.1\no2\tNA\t0.1\t-0.2\t0.1\n"
    )
    table = se.read_griesemer(info, {"HMEC": per_cell})
    assert sorted(table["oligo_id"]) == ["o1:alt", "o1:ref", "o2:alt"]
    assert table.set_index("oligo_id").loc["o1:alt", "sequence"] == "ACGTAGCGTA"
    # Table S1 "Variant MPRAu Results" layout, keyed by mpra_variant_id
    s1 = tmp_path / "s1.tsv"
    s1.write_text(
        "mpra_variant_id\tlog2FoldChange_Ref_HMEC\tlog2FoldChange_Alt_HMEC\tlog2FoldChange_Ref_K562\t"
        "log2FoldChange_Alt_K562\no1\t0.5\t0.7\t1\t2\n"
    )
    info2 = tmp_path / "info2.tsv"
    info2.write_text(info.read_text().replace("oligo_id", "mpra_variant_id", 1))
    wide = se.read_griesemer(info2, s1)
    assert set(wide["cell_line"]) == {"HMEC", "K562"} and len(wide) == 4
    (tmp_path / "unknown.tsv").write_text("oligo_id\tlog2FoldChange_ref\tlog2FoldChange_alt\nzz\t1\t1\n")
    with pytest.raises(InputFormatError, match="absent from the oligo table"):
        se.read_griesemer(info, {"HMEC": tmp_path / "unknown.tsv"})


def test_siegel_headered_layout_and_bad_sequence(tmp_path):
    path = tmp_path / "siegel.tsv"
    path.write_text(
        "oligo_id\tgene_id\tchrom\tstart\tend\tstrand\tsequence\tstability_Beas2B\tsteady_state_Beas2B\n"
        "s1\tG1\tchr1\t1\t10\t+\tACGUACGUAC\t0.5\tNA\n"
    )
    table = se.read_siegel(path)
    assert table[["target", "value"]].values.tolist() == [["stability", 0.5]]
    assert table["sequence"].iloc[0] == "ACGTACGTAC"
    path.write_text(path.read_text().replace("ACGUACGUAC", "ACGU-CGUAC"))
    with pytest.raises(InputFormatError, match=r"siegel.tsv:2: .*not ACGTN"):
        se.read_siegel(path)
