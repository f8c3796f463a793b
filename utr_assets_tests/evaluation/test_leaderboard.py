"""Leaderboard assembly (published reference column, not-applicable rows, checks) and PNG plots."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from utr_assets.evaluation.leaderboard import (
    LEADERBOARD_COLUMNS,
    build_leaderboard,
    check_metric_ranges,
    check_models_present,
    published_values,
)
from utr_assets.evaluation.metrics import auc_rows, pearson_rows
from utr_assets.evaluation.plots import bar_chart_png, markdown_image, roc_curve_table, roc_curves_png

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _rows():
    rng = np.random.default_rng(0)
    labels = np.r_[np.ones(100), np.zeros(100)]
    rows = auc_rows(
        "phylop",
        "rbp_motifs",
        "top10_phylop",
        "phylop_max",
        labels,
        labels + rng.normal(0, 0.5, 200),
        zero_shot=False,
        n_boot=50,
    )
    rows += auc_rows(
        "nt-3utr",
        "variant_effects",
        "cadd",
        "pratio",
        labels,
        -labels + rng.normal(0, 1, 200),
        zero_shot=True,
        n_boot=50,
    )
    y = rng.normal(size=50)
    rows += pearson_rows("dnabert-3utr", "mpra", "HMEC/log2fc", "ridge", y, y + rng.normal(0, 1, 50))
    return rows


def test_published_values_are_the_spec_numbers():
    pub = published_values()
    row = pub[(pub["published_model"] == "PhyloP-241") & (pub["split"] == "top10_phylop")].iloc[0]
    assert row["model"] == "phylop" and row["published_value"] == 0.972
    assert len(pub[pub["task"] == "rbp_motifs"]) == 10


def test_leaderboard_is_tidy_with_reference_and_not_applicable():
    table = build_leaderboard(
        [_rows()], not_applicable={("dnabert2-3utr", "rbp_motifs"): "BPE tokens: no per-base probabilities"}
    )
    assert list(table.columns) == LEADERBOARD_COLUMNS
    ref = table.set_index(["model", "metric"])
    assert ref.loc[("phylop", "roc_auc"), "published_value"] == 0.972
    assert ref.loc[("nt-3utr", "roc_auc_flipped"), "published_value"] == 0.728
    assert np.isnan(ref.loc[("nt-3utr", "roc_auc"), "published_value"])  # the study reported flipped
    assert ref.loc[("dnabert-3utr", "pearson_r"), "published_value"] == 0.51
    na = table[table["status"] == "not_applicable"]
    assert na["model"].tolist() == ["dnabert2-3utr"] and "BPE" in na["reason"].iloc[0]
    ok, bad = check_metric_ranges(table)
    assert ok and bad.empty
    present, missing = check_models_present(table, ["phylop", "dnabert2-3utr", "zoo-al"], ["rbp_motifs"])
    assert not present and missing == ["zoo-al/rbp_motifs"]


def test_range_check_catches_bad_rows():
    bad = pd.DataFrame(
        [
            {
                "model": "m",
                "task": "t",
                "split": "s",
                "score": "x",
                "metric": "roc_auc",
                "value": 1.2,
                "ci_low": 0.9,
                "ci_high": 1.3,
                "n": 10,
            },
            {
                "model": "m",
                "task": "t",
                "split": "s2",
                "score": "x",
                "metric": "pearson_r",
                "value": 0.3,
                "ci_low": 0.4,
                "ci_high": 0.6,
                "n": 10,
            },
        ]
    )
    ok, rows = check_metric_ranges(build_leaderboard([bad]))
    assert not ok and len(rows) == 2


def test_plots_are_png_and_embed_as_markdown():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 300)
    curves = pd.concat(
        [
            roc_curve_table(
                m, "variant_effects", "clinvar", "pratio", labels, labels * k + rng.normal(size=300)
            )
            for m, k in (("a", 1.0), ("b", 0.2))
        ]
    )
    png = roc_curves_png(curves, "clinvar")
    assert png.startswith(PNG_MAGIC)
    table = build_leaderboard([_rows()])
    bars = bar_chart_png(table[table["task"] == "variant_effects"], "variant effects")
    assert bars.startswith(PNG_MAGIC)
    md = markdown_image(png, "ROC")
    assert md.startswith("![ROC](data:image/png;base64,")
    assert base64.b64decode(md.split(",", 1)[1].rstrip(")")) == png
