"""The whole graph on the bundled sample, as `utr-assets demo` runs it, into a temporary store."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from utr_assets.definitions import build_definitions
from utr_assets.platform.whole_graph import materialise_everything
from utr_assets.settings import load_settings


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    override = home / "override.yaml"
    override.write_text(f"storage:\n  root: {home / 'store'}\ncompute:\n  device: cpu\n")
    defs = build_definitions(load_settings("sample", override))
    log: list[str] = []
    failures = materialise_everything(log=log.append, instance=DagsterInstance.ephemeral(), defs=defs)
    assert failures == [], "\n".join(log)
    assert not [line for line in log if "check failed" in line and "(ERROR)" in line], log
    return home / "store"


def test_reference_and_alignments(demo_home: Path) -> None:
    regions = pd.read_parquet(demo_home / "tables" / "utr3_regions.parquet")
    assert len(regions) > 100 and set(regions.chrom) == {"chr1", "chr2", "chr3"}
    alignments = pd.concat(
        pd.read_parquet(p) for p in (demo_home / "tables" / "utr3_alignments").glob("*.parquet")
    )
    lengths = alignments.merge(regions[["utr_id", "length"]], on="utr_id")
    assert (lengths.aligned.str.len() == lengths.length).all()
    species = pd.read_parquet(demo_home / "tables" / "species.parquet")
    assert "Canis_lupus_familiaris" in set(species.species)


def test_corpus_split_and_tokenised_shards(demo_home: Path) -> None:
    corpus = json.loads((demo_home / "handles" / "pretraining_corpus.json").read_text())
    train = pd.concat(pd.read_parquet(h["uri"]) for h in corpus["train"])
    validation = pd.concat(pd.read_parquet(h["uri"]) for h in corpus["validation"])
    assert not set(train.gene_id) & set(validation.gene_id)
    assert train.species.nunique() > 30
    nt = json.loads((demo_home / "handles" / "tokenised_corpus" / "nt-3utr.json").read_text())
    assert nt["applicable"] and nt["vocab_size"] == 4107
    assert (Path(nt["tokenizer"]["uri"]) / "tokenizer_config.json").exists()
    baseline = json.loads((demo_home / "handles" / "tokenised_corpus" / "zoo-al.json").read_text())
    assert baseline["applicable"] is False


def _leaderboard(store: Path) -> pd.DataFrame:
    return pd.read_parquet(store / "tables" / "leaderboard.parquet")


def test_leaderboard_has_every_model_and_task(demo_home: Path) -> None:
    table = _leaderboard(demo_home)
    registry = {
        "dnabert-3utr",
        "dnabert2-3utr",
        "nt-3utr",
        "stsp-3utr",
        "stsp-3utr-sa",
        "stsp-3utr-dna",
        "stsp-3utr-hs",
        "zoo-al",
        "phylop",
        "cadd",
        "kmer-counts",
        "griesemer-features",
    }
    assert set(table.model) == registry
    for model in registry:
        assert set(table[table.model == model].task) == {"rbp_motifs", "variant_effects", "mpra", "half_life"}
    na = table[table.status == "not_applicable"]
    assert ("dnabert2-3utr", "rbp_motifs") in set(zip(na.model, na.task, strict=True))  # BPE: no per-base P
    ok = table[table.status == "ok"]
    assert ok.value.between(-1, 1).all() and (ok.ci_low <= ok.value + 1e-9).all()
    trained = table[table.model == "nt-3utr"].checkpoint
    assert trained.str.contains(
        "model_checkpoint/nt-3utr/best#sha256="
    ).all()  # rows link to their checkpoint
    assert (demo_home / "leaderboard" / "bars_rbp_motifs.png").read_bytes()[:4] == b"\x89PNG"
    assert (demo_home / "leaderboard" / "roc_variant_effects_cadd.png").exists()
    published = ok.dropna(subset=["published_value"])
    assert {"zoo-al", "phylop"} <= set(published.model)


def _value(
    table: pd.DataFrame, model: str, task: str, split: str, metric: str, score: str | None = None
) -> float:
    rows = table[
        (table.model == model) & (table.task == task) & (table.split == split) & (table.metric == metric)
    ]
    if score is not None:
        rows = rows[rows.score == score]
    return float(rows.value.max())


def test_leaderboard_reproduces_the_planted_structure(demo_home: Path) -> None:
    table = _leaderboard(demo_home)
    lms = ["dnabert-3utr", "nt-3utr", "stsp-3utr", "stsp-3utr-sa", "stsp-3utr-dna", "stsp-3utr-hs"]
    # conservation-aware scores are best on the conserved motif instances
    for baseline in ("zoo-al", "phylop"):
        top = _value(table, baseline, "rbp_motifs", "top10_phylop", "roc_auc")
        assert top > 0.85 and top > max(
            _value(table, m, "rbp_motifs", "top10_phylop", "roc_auc") for m in lms
        )
        assert _value(table, baseline, "rbp_motifs", "bottom10_phylop", "roc_auc") < top
    assert _value(table, "zoo-al", "variant_effects", "cadd", "roc_auc_flipped", "pratio") > 0.9
    # k-mer counts predict MPRA activity and half-life (the planted motifs set both)
    assert _value(table, "kmer-counts", "half_life", "all", "pearson_r") > 0.3
    assert _value(table, "kmer-counts", "mpra", "HEK293FT/log2fc", "pearson_r") > 0.3
    # trained models: MPRA from their embeddings with positive r; variant scores of the state-space
    # models and DNABERT away from chance (the tiny NT and DNABERT-2 are not always, on this sample)
    assert _value(table, "dnabert2-3utr", "mpra", "HEK293FT/log2fc", "pearson_r") > 0.1
    for model in ["dnabert-3utr", "stsp-3utr", "stsp-3utr-sa", "stsp-3utr-dna", "stsp-3utr-hs"]:
        zero_shot = table[
            (table.model == model)
            & (table.task == "variant_effects")
            & (table.metric == "roc_auc")
            & ~table.score.str.startswith("mlp")
        ]
        above = (zero_shot.ci_low > 0.5) | (zero_shot.ci_high < 0.5)  # CI excludes chance, either direction
        assert above.any(), model
    # every trained model with per-base probabilities is above chance on the RBP motifs (not flipped):
    # functional sites sit in homotypic clusters within a flank of their motif's composition
    for model in lms:
        row = table[
            (table.model == model)
            & (table.task == "rbp_motifs")
            & (table.split == "all")
            & (table.metric == "roc_auc")
        ]
        assert len(row) == 1 and row.ci_low.iloc[0] > 0.5, (model, row[["value", "ci_low", "ci_high"]])


def test_rbp_instances_are_kmer_matched(demo_home: Path) -> None:
    """Equal positives and negatives per (RBP, 5-mer): the k-mer alone carries no label information."""
    instances = pd.read_parquet(demo_home / "tables" / "rbp_motif_instances.parquet")
    counts = instances.groupby(["rbp_motif", "label"]).size().unstack(fill_value=0)
    assert len(counts) >= 15 and (counts[0] == counts[1]).all() and counts[1].sum() > 500
