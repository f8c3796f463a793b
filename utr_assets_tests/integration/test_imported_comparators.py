"""The study's three genome-wide comparators end to end on the sample: `utr-assets models import` of the
golden directories (publisher layouts, random weights, pickle weights for DNABERT-6/-2 and NT-v2), `models
add` to a registry of their own (orientation dna, as data/models.paper.yaml), then `materialise_asset` builds
the leaderboard on the sample with every task of the three models (and their shared upstream) into a
temporary store: finite rows for each (the leaderboard's blocking checks pass: every model, every task).

A registry of the three and the sample's Griesemer-features baseline only: the leaderboard checks that every
registered model has rows, and the sample's trained models (and the k-mer baseline's 1,024-wide MPRA probes)
would multiply the runtime; test_demo_pipeline has them."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from utr_assets.cli import main
from utr_assets.definitions import build_definitions
from utr_assets.platform.materialise import materialise_asset
from utr_assets.settings import load_settings

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
# slug -> (golden directory, family); the slugs of data/models.paper.yaml
COMPARATORS = {
    "dnabert-6": ("dnabert6", "dnabert"),
    "dnabert2-117m": ("dnabert2", "dnabert2"),
    "nt-v2-100m-ms": ("nt_v2", "nt"),
}
PER_BASE = ("dnabert-6", "nt-v2-100m-ms")
# 6 min wall (3 min CPU) on 2 shared cores, 2026-12-02; most of it DNABERT-6's masked per-base probabilities
pytestmark = pytest.mark.slow  # k-mer models; DNABERT-2's BPE has no per-base probabilities


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("comparators")
    registry = home / "models.yaml"
    # the sample's cheapest baseline (58 Griesemer features: MPRA only, a reference row), then the three
    registry.write_text("models:\n  - {slug: griesemer-features, kind: baseline, family: griesemer}\n")
    for slug, (golden, family) in COMPARATORS.items():
        out = home / "imported" / slug
        assert (
            main(
                [
                    "models",
                    "import",
                    str(GOLDEN / golden),
                    "--family",
                    family,
                    "--slug",
                    slug,
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
        assert (out / "model.safetensors").exists() and not list(out.glob("*.bin"))
        assert (
            main(
                [
                    "models",
                    "add",
                    slug,
                    "--kind",
                    "pretrained",
                    "--family",
                    family,
                    "--source",
                    str(out),
                    "--orientation",
                    "dna",
                    "--registry",
                    str(registry),
                ]
            )
            == 0
        )
    override = home / "override.yaml"
    # the sample's settings (masked per-base probabilities included); fewer bootstrap resamples only
    override.write_text(
        f"registry: {registry}\nstorage:\n  root: {home / 'store'}\ncompute:\n  device: cpu\n"
        "benchmarks:\n  n_boot: 50\n"
    )
    defs = build_definitions(load_settings("sample", override))
    instance = DagsterInstance.ephemeral()
    log: list[str] = []
    assert materialise_asset("leaderboard", None, defs, log=log.append, instance=instance), "\n".join(log)
    assert not [line for line in log if "check failed" in line], log
    return home / "store"


def test_leaderboard_rows_for_the_imported_comparators(store: Path) -> None:
    table = pd.read_parquet(store / "tables" / "leaderboard.parquet")
    assert set(table.model) == {*COMPARATORS, "griesemer-features"}
    ok = table[table.status == "ok"]
    for slug in COMPARATORS:
        mpra = ok[(ok.model == slug) & (ok.task == "mpra")]
        assert len(mpra) and all(math.isfinite(v) for v in mpra.value), (slug, mpra)
        assert "HEK293FT" in set(mpra.split.str.split("/").str[0]), sorted(mpra.split)
    for slug in PER_BASE:
        rbp = ok[(ok.model == slug) & (ok.task == "rbp_motifs")]
        assert len(rbp) and all(math.isfinite(v) for v in rbp.value), (slug, rbp)
        assert set(rbp.probability_mode) == {"masked"}, rbp.probability_mode.unique()
    dnabert2 = table[(table.model == "dnabert2-117m") & (table.task == "rbp_motifs")]
    assert len(dnabert2) and (dnabert2.status != "ok").all()  # not applicable (BPE), with its reason


def test_comparators_scored_from_the_imported_safetensors(store: Path) -> None:
    table = pd.read_parquet(store / "tables" / "leaderboard.parquet")
    for slug in COMPARATORS:
        rows = table[(table.model == slug) & (table.status == "ok")]
        # pretrained entries carry no trained checkpoint: the row says what it came from (the model's kind)
        assert len(rows) and (rows.checkpoint == "pretrained model: loaded, not trained").all(), rows
