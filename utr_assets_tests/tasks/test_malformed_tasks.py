"""Malformed task inputs: VCF (ClinVar, gnomAD, CADD training), eQTL credible sets, CADD scores (plain and
through tabix), narrowPeak, half-life and MPRA tables, folds, wiggle. Each case asserts the error type,
the file and line (or record) in the message, and that nothing was written."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest

from utr_assets.common.errors import InputFormatError
from utr_assets.tasks.readers import expression as se
from utr_assets.tasks.readers import rbp as sr
from utr_assets.tasks.readers import tracks as st
from utr_assets.tasks.readers import variants as sv
from utr_assets_tests.malformed import refused

# ---- VCF: the line named is the file's line (pysam's rendered header may differ from the file's) -----------
VCF_HEAD = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=100000>\n"
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="c">\n##INFO=<ID=AF,Number=A,Type=Float,Description="f">\n'
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="s">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)  # 6 header lines, no FILTER=PASS line
REC = "chr1\t{pos}\t.\tA\tG\t.\tPASS\tAC=1;AF=0.5;CLNSIG=Pathogenic\n"
VCF_CASES = {
    "vcf_position_not_a_number": (
        REC.format(pos=10) + REC.format(pos="2x0"),
        sv.read_vcf_snvs,
        8,
        "bad VCF record",
    ),
    "vcf_too_few_columns": (REC.format(pos=10) + "chr1\t20\t.\tA\n", sv.read_vcf_snvs, 8, "bad VCF record"),
    "vcf_gnomad_af_missing": (
        REC.format(pos=10) + REC.format(pos=20).replace("AF=0.5", "AF=."),
        sv.read_gnomad,
        8,
        "AC or AF is missing",
    ),
    "vcf_gnomad_without_ac": (
        REC.format(pos=10).replace("AC=1;", ""),
        sv.read_gnomad,
        7,
        "without usable AC/AF",
    ),
}


@pytest.mark.parametrize("case", sorted(VCF_CASES))
def test_malformed_vcf(tmp_path: Path, case: str) -> None:
    records, reader, line, match = VCF_CASES[case]
    path = tmp_path / "bad.vcf"
    path.write_text(VCF_HEAD + records)
    refused(lambda: reader(path), InputFormatError, path, line, match)


def test_vcf_line_numbers_in_bgzip_file(tmp_path: Path) -> None:
    plain = tmp_path / "calls.vcf"
    plain.write_text(
        VCF_HEAD + REC.format(pos=10) + REC.format(pos=20) + REC.format(pos=30).replace("AF=0.5", "AF=.")
    )
    pysam.tabix_compress(str(plain), str(tmp_path / "calls.vcf.gz"))
    plain.unlink()
    path = tmp_path / "calls.vcf.gz"
    refused(lambda: sv.read_gnomad(path), InputFormatError, path, 9, "AC or AF is missing")


# ---- eQTL credible sets ---------------------------------------------------------------------------------------
EQTL_HEAD = "molecular_trait_id\tgene_id\tcs_id\tvariant\tpip\tpvalue\tposition\n"
EQTL_OK = "ENSG1\tENSG1\tL1\tchr1_1000_A_G\t0.9\t1e-10\t1000\n"
EQTL_CASES = {
    "eqtl_position_fraction": (EQTL_OK.replace("1000", "19018.9"), "position is not an integer"),
    "eqtl_position_negative": (EQTL_OK.replace("1000", "-5"), "position is not an integer >= 1"),
    "eqtl_position_column_fraction": (
        EQTL_OK.replace("\t1000\n", "\t1000.5\n"),
        "'1000.5' is not an integer",
    ),
    "eqtl_variant_not_four_parts": (
        EQTL_OK.replace("chr1_1000_A_G", "chr1:1000:A:G"),
        "is not chrom_pos_ref_alt",
    ),
    "eqtl_pip_not_a_number": (EQTL_OK.replace("0.9", "high"), "'high' is not a finite number"),
    "eqtl_pvalue_infinite": (EQTL_OK.replace("1e-10", "inf"), "'inf' is not a finite number"),
    "eqtl_too_few_fields": ("ENSG1\tENSG1\tL1\tchr1_1000_A_G\t0.9\n", "5 tab-separated fields, expected 7"),
}


@pytest.mark.parametrize("case", sorted(EQTL_CASES))
def test_malformed_eqtl(tmp_path: Path, case: str) -> None:
    bad, match = EQTL_CASES[case]
    path = tmp_path / "QTD1.credible_sets.tsv"
    path.write_text(EQTL_HEAD + EQTL_OK.replace("1000", "900") + bad)
    refused(lambda: sv.read_eqtl_susie(path), InputFormatError, path, 3, match)


# ---- CADD scores ------------------------------------------------------------------------------------------------
CADD_HEAD = "## CADD v1.7\n#Chrom\tPos\tRef\tAlt\tRawScore\tPHRED\n"


@pytest.mark.parametrize(
    ("case", "row", "match"),
    [
        ("cadd_position_fraction", "1\t10.5\tA\tC\t0.5\t5.1\n", "'10.5' is not an integer"),
        ("cadd_position_zero", "1\t0\tA\tC\t0.5\t5.1\n", "below the minimum 1"),
        ("cadd_score_not_a_number", "1\t10\tA\tC\thigh\t5.1\n", "'high' is not a finite number"),
    ],
)
def test_malformed_cadd_table(tmp_path: Path, case: str, row: str, match: str) -> None:
    path = tmp_path / "cadd.tsv"
    path.write_text(CADD_HEAD + "1\t9\tA\tG\t0.1\t1.0\n" + row)
    refused(lambda: st.read_cadd_scores(path), InputFormatError, path, 4, match)


def test_cadd_through_tabix_names_the_record_not_line_minus_one(tmp_path: Path) -> None:
    plain = tmp_path / "cadd.tsv"
    plain.write_text("#Chrom\tPos\tRef\tAlt\tRawScore\tPHRED\n1\t9\tA\tG\t0.1\t1.0\n1\t10\tA\tC\tnanx\t5.1\n")
    path = Path(pysam.tabix_index(str(plain), seq_col=0, start_col=1, end_col=1, force=True, meta_char="#"))
    message = refused(
        lambda: st.read_cadd_scores(path, regions=[("chr1", 5, 20)]),
        InputFormatError,
        path,
        None,
        r"record '1\\t10\\tA\\tC\\tnanx\\t5.1' \(tabix region 1:5-20\).*'nanx' is not a finite number",
    )
    assert ":-1:" not in message


# ---- narrowPeak ------------------------------------------------------------------------------------------------
PEAK = "chr1\t100\t200\tp1\t1000\t+\t5.0\t10.0\t3.0\t50\n"
NARROWPEAK_CASES = {
    "narrowpeak_signal_nan": (PEAK.replace("5.0", "nan"), "must be finite"),
    "narrowpeak_pvalue_inf": (PEAK.replace("10.0", "inf"), "must be finite"),
    "narrowpeak_score_negative_inf": (PEAK.replace("1000", "-inf"), "must be finite"),
    "narrowpeak_9_columns": (
        "chr1\t100\t200\tp1\t1000\t+\t5.0\t10.0\t3.0\n",
        "10 tab-separated columns, found 9",
    ),
    "narrowpeak_start_fraction": (
        PEAK.replace("\t100\t", "\t100.5\t"),
        "start '100.5' is not a whole number",
    ),
    "narrowpeak_end_before_start": (PEAK.replace("\t200\t", "\t50\t"), "bad interval"),
    "narrowpeak_bad_strand": (PEAK.replace("\t+\t", "\tx\t"), "strand must be"),
}


@pytest.mark.parametrize("case", sorted(NARROWPEAK_CASES))
def test_malformed_narrowpeak(tmp_path: Path, case: str) -> None:
    bad, match = NARROWPEAK_CASES[case]
    path = tmp_path / "peaks.bed"
    path.write_text(PEAK + bad)
    refused(lambda: sr.read_narrowpeak(path, "RBP1"), InputFormatError, path, 2, match)


# ---- half-life, folds, MPRA -------------------------------------------------------------------------------------
HL_HEAD = "gene_id\tgene_name\tfold\thalf_life_pc1\n"
HL_CASES = {
    "halflife_fold_fraction": ("ENSG2\tB\t5.7\t0.2\n", "'5.7' is not an integer"),
    "halflife_fold_negative": ("ENSG2\tB\t-1\t0.2\n", "below the minimum 0"),
    "halflife_value_not_a_number": ("ENSG2\tB\t3\tfast\n", "'fast' is not a finite number"),
    "halflife_duplicate_gene": ("ENSG1.2\tA\t3\t0.2\n", "duplicate gene ENSG1"),
    "halflife_wrong_field_count": ("ENSG2\tB\t3\n", "3 tab-separated fields, expected 4"),
}


@pytest.mark.parametrize("case", sorted(HL_CASES))
def test_malformed_half_life(tmp_path: Path, case: str) -> None:
    bad, match = HL_CASES[case]
    path = tmp_path / "half_life.tsv"
    path.write_text(HL_HEAD + "ENSG1.1\tA\t1\t0.1\n" + bad)
    refused(lambda: se.read_half_life(path), InputFormatError, path, 3, match)


def test_fold_file_with_a_fractional_bin(tmp_path: Path) -> None:
    table = tmp_path / "pc1.tsv"
    table.write_text("ensembl_gene_id\texternal_gene_name\thuman_PC1\nENSG1\tA\t0.1\nENSG2\tB\t0.3\n")
    folds = tmp_path / "bins.tsv"
    folds.write_text("BIN\tGENEID\n1\tENSG1\n2.5\tENSG2\n")
    refused(lambda: se.read_half_life(table, folds), InputFormatError, folds, 3, "'2.5' is not an integer")


def test_half_life_missing_column_names_the_header(tmp_path: Path) -> None:
    path = tmp_path / "half_life.tsv"
    path.write_text("gene\tfold\nENSG1\t1\n")
    refused(lambda: se.read_half_life(path), InputFormatError, path, 1, "missing column")


MPRA_HEAD = "oligo_id\tsequence\tstability_Beas2B\n"
MPRA_CASES = {
    "mpra_sequence_not_acgtn": ("o2\tACGXTT\t0.5\n", "is not ACGTN"),
    "mpra_value_not_a_number": ("o2\tACGTT\tgood\n", "'good' is not a finite number"),
    "mpra_value_infinite": ("o2\tACGTT\t-inf\n", "'-inf' is not a finite number"),
}


@pytest.mark.parametrize("case", sorted(MPRA_CASES))
def test_malformed_mpra(tmp_path: Path, case: str) -> None:
    bad, match = MPRA_CASES[case]
    path = tmp_path / "siegel.tsv"
    path.write_text(MPRA_HEAD + "o1\tACGT\t0.1\n" + bad)
    refused(lambda: se.read_siegel(path), InputFormatError, path, 3, match)


def test_griesemer_duplicate_oligo(tmp_path: Path) -> None:
    info = tmp_path / "oligo_info.tsv"
    info.write_text("oligo_id\tref_sequence\talt_sequence\no1\tACGT\tACGA\no1\tACGT\tACGC\n")
    values = tmp_path / "k562.tsv"
    values.write_text("oligo_id\tlog2FoldChange_ref\tlog2FoldChange_alt\no1\t0.1\t0.2\n")
    refused(
        lambda: se.read_griesemer(info, {"K562": values}),
        InputFormatError,
        info,
        3,
        "duplicate oligo_id 'o1'",
    )


# ---- wiggle ------------------------------------------------------------------------------------------------------
WIG_CASES = {
    "wiggle_variable_position_zero": (
        "variableStep chrom=chr1\n5\t0.1\n0\t0.3\n",
        3,
        "position '0' is not a whole number >= 1",
    ),
    "wiggle_variable_position_fraction": (
        "variableStep chrom=chr1\n5\t0.1\n6.5\t0.3\n",
        3,
        "'6.5' is not a whole number",
    ),
    "wiggle_value_nan": ("variableStep chrom=chr1\n5\t0.1\n6\tnan\n", 3, "not finite"),
    "wiggle_fixed_value_inf": ("fixedStep chrom=chr1 start=1 step=1\n0.1\ninf\n", 3, "not finite"),
    "wiggle_data_before_declaration": (
        "0.5\nfixedStep chrom=chr1 start=1 step=1\n",
        1,
        "before any fixedStep",
    ),
    "wiggle_fixed_start_zero": ("fixedStep chrom=chr1 start=0 step=1\n0.5\n", 1, "start must be >= 1"),
    "wiggle_declaration_without_chrom": ("variableStep span=1\n5\t0.1\n", 1, "without chrom="),
}


@pytest.mark.parametrize("case", sorted(WIG_CASES))
def test_malformed_wiggle(tmp_path: Path, case: str) -> None:
    text, line, match = WIG_CASES[case]
    path = tmp_path / "phylop.wig"
    path.write_text(text)
    refused(lambda: st.read_wiggle(path), InputFormatError, path, line, match)


def test_wiggle_position_given_twice_names_the_position(tmp_path: Path) -> None:
    path = tmp_path / "phylop.wig"
    path.write_text("variableStep chrom=chr1\n5\t0.1\n5\t0.3\n")
    refused(
        lambda: st.read_wiggle(path),
        InputFormatError,
        path,
        None,
        r"chr1:5 \(1-based\) has more than one value",
    )
