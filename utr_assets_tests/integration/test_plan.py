"""`utr-assets plan --profile paper`: a complete plan from catalogue + settings + registry, offline."""

from __future__ import annotations

import json

import pytest

from utr_assets.planning import build_plan, format_plan, scoring_gpu_hours, tokens_for, training_gpu_hours
from utr_assets.settings import load_settings


@pytest.fixture(scope="module")
def plan() -> dict:
    return build_plan(load_settings("paper", ""))


def test_plan_lists_every_catalogue_source_with_verification(plan):
    names = {d["name"] for d in plan["downloads"]}
    assert {
        "hg38_genome",
        "gencode_gtf",
        "zoonomia_maf",
        "clinvar",
        "gnomad_genomes",
        "eqtl_catalogue_datasets",
        "cadd_simulated",
        "cadd_human_derived",
        "cadd_scores",
        "phylop_241way",
        "phylop_100way",
        "encode_eclip_metadata",
        "encode_rbns_metadata",
        "griesemer2021_values",
        "siegel2022",
        "agarwal2022_half_life",
        "agarwal2022_folds",
    } <= names
    by_name = {d["name"]: d for d in plan["downloads"]}
    assert (
        by_name["gnomad_genomes"]["files"] == 24 and by_name["gnomad_genomes"]["partitions"] == "chromosome"
    )
    assert by_name["agarwal2022_half_life"]["verification"] == "pinned"
    assert by_name["agarwal2022_half_life"]["size_bytes"] == 556496
    assert by_name["clinvar"]["setting"].endswith("clinvar.vcf.gz")
    json.dumps(plan)  # --json must serialise


def test_plan_sizes_every_source_and_totals_the_disk(plan):
    rows = {d["name"]: d for d in plan["downloads"]}
    assert plan["disk"]["unknown_size"] == []
    assert all(d["size_bytes"] is not None for d in rows.values())
    # the total is the sum of the sources in the graph (the HAL is exported from, so it is in it)
    in_graph = [d["size_bytes"] for d in rows.values() if d["in_graph"]]
    assert plan["disk"]["disk_bytes"] == sum(in_graph)
    assert rows["siegel2022"]["size_exact"] and rows["siegel2022"]["size_bytes"] == 114764
    assert set(plan["disk"]["manual"]) == {"griesemer2021_oligos"}
    export = plan["disk"]["alignment_export"]
    assert export["utr_bp"] == 18_134 * 1_792 and export["via"] == "hal2maf --refTargets"
    text = format_plan(plan)
    assert "unknown" not in text and "disk: ~" in text and "hal2maf about" in text


def test_plan_estimates_gpu_hours_for_every_trained_model(plan):
    trained = [m for m in plan["models"] if m["kind"] == "trained"]
    assert trained and all(m["training"]["gpu_hours_per_epoch"] > 0 for m in trained)
    assert all(m["scoring"]["gpu_hours"] > 0 for m in trained)
    hs = next(m for m in trained if m["slug"] == "stsp-3utr-hs")
    sa = next(m for m in trained if m["slug"] == "stsp-3utr")
    assert hs["training"]["tokens_per_epoch"] < sa["training"]["tokens_per_epoch"] / 100  # human-only corpus
    assert plan["partitions"]["alignment_runs"] == 24 * 3


def test_estimates_follow_the_measured_throughputs():
    # DNABERT: ~1 token per nt; 3.78M sequences of mean 1,744 nt -> 4 chunks of 512 tokens each
    assert tokens_for("dnabert", 1744) == 4 * 512
    hours = training_gpu_hours("dnabert", "paper")["gpu_hours_per_epoch"]
    assert hours == pytest.approx(3_783_714 * 2048 / 312_000 / 3600)
    # per-base scoring with one pass per position is the dominant DNABERT cost (docs/protocol.md §4: one masked copy per position)
    assert scoring_gpu_hours("dnabert")["forward_passes"] == 18_134 * 1_792
    assert training_gpu_hours("dss", "tiny") == {
        "note": "preset 'tiny': no measured throughput (paper presets only)"
    }


def test_plan_reads_the_model_families():
    from utr_assets.families import FAMILIES

    costed = [f for f in FAMILIES.values() if f.cost is not None]
    assert [f.name for f in costed] == ["dnabert", "dnabert2", "nt", "dss"]
    for family in costed:  # the plan's chunks are the study's context, the epoch cap the paper preset's
        assert family.context_length("paper") == family.chunks.context, family.name
        assert (
            training_gpu_hours(family.name, "paper")["max_epochs"] == family.training["paper"]["max_epochs"]
        )


def test_format_plan_prints_the_tables(plan):
    text = format_plan(plan)
    for needle in (
        "Sources",
        "hg38_genome",
        "pinned",
        "unverified",
        "GPU-hours",
        "dnabert-3utr",
        "manual griesemer2021_oligos",
        "24 chromosomes",
    ):
        assert needle in text
