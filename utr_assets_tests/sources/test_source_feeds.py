"""How downloads reach their readers: mirror URLs, fed settings, reader dependencies, derived-source helpers."""

from __future__ import annotations

import pandas as pd
import pytest

from utr_assets.settings import SourcesSettings, load_settings
from utr_assets.sources import SourceEntry, SourceError
from utr_assets.sources.feeds import apply_sources, fed_settings, mirror_url, reader_deps, source_catalogue
from utr_assets.sources.prepare import (
    concat_credible_sets,
    encode_listed_files,
    eqtl_credible_set_files,
    merged_intervals,
)


def test_mirror_replaces_scheme_and_host_only():
    sources = SourcesSettings(mirror="http://127.0.0.1:8000/")
    assert (
        mirror_url("https://hgdownload.soe.ucsc.edu/goldenPath/hg38/bigZips/hg38.fa.gz", sources)
        == "http://127.0.0.1:8000/hgdownload.soe.ucsc.edu/goldenPath/hg38/bigZips/hg38.fa.gz"
    )
    assert (
        mirror_url("https://www.encodeproject.org/metadata/?type=Experiment&x=a+b", sources)
        == "http://127.0.0.1:8000/www.encodeproject.org/metadata/?type=Experiment&x=a+b"
    )
    assert mirror_url("s3://bucket/key", sources) == "s3://bucket/key"
    assert mirror_url("https://a/b", SourcesSettings()) == "https://a/b"


def test_apply_sources_keeps_file_names_and_sets_the_s3_endpoint():
    sources = SourcesSettings(
        mirror="http://m", s3_endpoint="http://s3", urls={"x": "https://h/p/{chrom}.maf.gz"}
    )
    entry = SourceEntry(
        name="x", title="t", url="https://orig/{chrom}.maf.gz", checksum_url="https://orig/MD5"
    )
    out = apply_sources(entry, sources)
    assert (out.url, out.filename, out.checksum_url) == (
        "http://m/h/p/{chrom}.maf.gz",
        "{chrom}.maf.gz",
        "http://m/orig/MD5",
    )
    s3 = apply_sources(
        SourceEntry(name="g", title="t", url="s3://b/k.vcf.bgz", storage_options={"anon": True}), sources
    )
    assert s3.url == "s3://b/k.vcf.bgz" and s3.storage_options == {"anon": True, "endpoint_url": "http://s3"}


def test_paper_settings_read_the_verified_copies_and_sample_settings_are_unchanged():
    sample = load_settings("sample", "")
    assert fed_settings(sample) is sample
    paper = load_settings("paper", "")
    fed = fed_settings(paper)
    root = paper.storage.root.rstrip("/")
    assert fed.reference.genome == f"{root}/sources/hg38_genome/hg38.fa"  # gunzipped on arrival
    assert fed.alignments.maf == f"{root}/sources/zoonomia_maf/{{chrom}}.maf.gz"
    assert fed.tasks.eclip_experiments == f"{root}/sources/encode_eclip_metadata/eclip_metadata.tsv"
    assert fed.tasks.gnomad == f"{root}/sources/gnomad_3utr/gnomad_3utr.vcf.gz"
    assert fed.tasks.griesemer_values.endswith("/sources/griesemer2021_values/fastUTR_mpra.txt.gz")
    assert fed.tasks.rbns_enriched == paper.tasks.rbns_enriched  # not downloaded: user's path
    assert fed.tasks.griesemer_oligo_info == paper.tasks.griesemer_oligo_info  # manual source


def test_each_reader_depends_on_the_sources_it_reads():
    paper = load_settings("paper", "")
    deps = reader_deps(paper, source_catalogue(paper))
    assert deps["genome"] == ["hg38_genome"] and deps["gene_annotation"] == ["gencode_gtf"]
    assert deps["maf_index"] == ["zoonomia_maf"]
    assert set(deps["variant_sets"]) == {
        "clinvar",
        "gnomad_3utr",
        "eqtl_credible_sets",
        "cadd_simulated",
        "cadd_human_derived",
    }
    assert set(deps["mpra_datasets"]) == {"griesemer2021_values", "siegel2022"}
    assert set(deps["half_life_dataset"]) == {"agarwal2022_half_life", "agarwal2022_folds"}
    assert set(deps["rbp_motif_instances"]) == {"encode_eclip_peaks", "phylop_241way"}  # conservation splits
    assert "phylop_241way" in deps["utr3_base_probabilities"] and "phylop_241way" in deps["variant_scores"]
    assert not any("phylop_100way" in names for names in deps.values())  # downloaded, feeds nothing
    fed = fed_settings(paper, source_catalogue(paper))
    assert fed.tasks.phylop.endswith("/sources/phylop_241way/241-mammalian-2020v2.bigWig")


def test_merged_intervals_by_hand():
    regions = pd.DataFrame(
        {
            "chrom": ["chr2", "chr1", "chr1", "chr1", "chr1"],
            "start": [5, 100, 0, 150, 10],
            "end": [9, 200, 20, 250, 30],
        }
    )
    # chr1: [0,20) and [10,30) overlap -> [0,30); [100,200) and [150,250) -> [100,250)
    assert merged_intervals(regions) == [("chr1", 0, 30), ("chr1", 100, 250), ("chr2", 5, 9)]
    assert merged_intervals(regions, "chr2") == [("chr2", 5, 9)]


def test_encode_listing_names_the_missing_columns(tmp_path):
    good = tmp_path / "metadata.tsv"
    good.write_text(
        "File accession\tFile download URL\tmd5sum\nENCFF1\thttps://x/files/ENCFF1/@@download/"
        "ENCFF1.bed.gz\tABCDEF0123456789abcdef0123456789\n"
    )
    (item,) = encode_listed_files(good, "eclip")
    assert (item.accession, item.filename, item.md5) == (
        "ENCFF1",
        "ENCFF1.bed.gz",
        "abcdef0123456789abcdef0123456789",
    )
    bad = tmp_path / "bad.tsv"
    bad.write_text("File accession\tmd5sum\nENCFF1\tx\n")
    with pytest.raises(SourceError, match=r"lacks columns \['File download URL'\]"):
        encode_listed_files(bad, "eclip")


def test_eqtl_credible_sets_of_expression_datasets_filtered_at_1e25(tmp_path):
    table = tmp_path / "dataset_metadata.tsv"
    table.write_text(
        "study_id\tdataset_id\tquant_method\nQTS1\tQTD1\tge\nQTS1\tQTD2\ttxrev\nQTS2\tQTD3\tge\n"
    )
    files = eqtl_credible_set_files(table, "eqtl")
    assert [f.url for f in files] == [
        "https://ftp.ebi.ac.uk/pub/databases/spot/eQTL/susie/QTS1/QTD1/QTD1.credible_sets.tsv.gz",
        "https://ftp.ebi.ac.uk/pub/databases/spot/eQTL/susie/QTS2/QTD3/QTD3.credible_sets.tsv.gz",
    ]
    one, two = tmp_path / "a.tsv", tmp_path / "b.tsv"
    one.write_text("variant\tpvalue\nchr1_5_A_G\t1e-30\nchr1_6_A_G\t1e-25\nchr1_7_A_G\t2e-25\n")
    two.write_text("variant\tpvalue\nchr2_9_C_T\t0.5\nchr2_8_C_T\t3e-40\n")
    out = tmp_path / "out.tsv.gz"
    assert concat_credible_sets([one, two], out) == 3  # 1e-30, 1e-25 (inclusive) and 3e-40
    assert pd.read_csv(out, sep="\t").variant.tolist() == ["chr1_5_A_G", "chr1_6_A_G", "chr2_8_C_T"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("study_id\tdataset_id\nQTS1\tQTD1\n")
    with pytest.raises(SourceError, match=r"lacks columns \['quant_method'\]"):
        eqtl_credible_set_files(bad, "eqtl")
