"""Metric sanity: ROC AUC with stratified bootstrap CI, flipping, NaN handling, Pearson/Fisher CI."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from utr_assets.evaluation.metrics import (
    MetricInputError,
    auc_rows,
    flip_ci,
    pearson_rows,
    pearson_with_fisher_ci,
    roc_auc_with_ci,
    roc_curve_points,
)


def test_perfect_scores_give_auc_one_with_tight_ci():
    labels = np.r_[np.ones(50), np.zeros(50)]
    res = roc_auc_with_ci(labels, labels * 2 + 0.1, n_boot=300, seed=1)
    assert res["value"] == 1.0
    assert res["ci_low"] == pytest.approx(1.0) and res["ci_high"] == pytest.approx(1.0)
    assert (res["n_pos"], res["n_neg"], res["n_dropped"]) == (50, 50, 0)


def test_random_scores_near_half_and_ci_covers_it():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 4000)
    res = roc_auc_with_ci(labels, rng.normal(size=4000), n_boot=400, seed=0)
    assert abs(res["value"] - 0.5) < 0.03
    assert res["ci_low"] < 0.5 < res["ci_high"]
    assert res["ci_high"] - res["ci_low"] < 0.08


def test_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 500)
    scores = rng.integers(0, 5, 500).astype(float) + labels * 0.5  # many ties
    assert roc_auc_with_ci(labels, scores, n_boot=10)["value"] == pytest.approx(roc_auc_score(labels, scores))


def test_inverted_scores_are_flipped_and_ci_mirrored():
    rng = np.random.default_rng(5)
    labels = np.r_[np.ones(300), np.zeros(300)]
    scores = -labels + rng.normal(0, 1.0, 600)
    res = roc_auc_with_ci(labels, scores, n_boot=200, seed=2)
    assert res["value"] < 0.5 and res["flipped"] == 1
    assert res["flipped_value"] == pytest.approx(1 - res["value"])
    lo, hi = flip_ci(res)
    assert lo == pytest.approx(1 - res["ci_high"]) and hi == pytest.approx(1 - res["ci_low"])
    assert lo <= res["flipped_value"] <= hi
    rows = auc_rows("m", "variant_effects", "cadd", "pratio", labels, scores, zero_shot=True, n_boot=50)
    assert [r["metric"] for r in rows] == ["roc_auc", "roc_auc_flipped"]
    assert rows[1]["value"] > 0.5


def test_nan_scores_are_dropped_and_counted():
    labels = np.array([1, 1, 1, 0, 0, 0])
    scores = np.array([0.9, np.nan, 0.8, 0.1, np.inf, 0.2])
    res = roc_auc_with_ci(labels, scores, n_boot=20)
    assert res["n_dropped"] == 2 and res["n_pos"] == 2 and res["n_neg"] == 2 and res["value"] == 1.0


def test_one_class_is_an_error():
    with pytest.raises(MetricInputError, match="both classes"):
        roc_auc_with_ci([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(MetricInputError, match="0/1"):
        roc_auc_with_ci([1, 2, 0], [0.1, 0.2, 0.3])


def test_bootstrap_is_seeded():
    rng = np.random.default_rng(9)
    labels, scores = rng.integers(0, 2, 300), rng.normal(size=300)
    a = roc_auc_with_ci(labels, scores, n_boot=100, seed=4)
    b = roc_auc_with_ci(labels, scores, n_boot=100, seed=4)
    c = roc_auc_with_ci(labels, scores, n_boot=100, seed=5)
    assert a == b and a["ci_low"] != c["ci_low"]


def test_pearson_fisher_ci_contains_r_and_matches_formula():
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    y = x + rng.normal(size=200)
    res = pearson_with_fisher_ci(x, y)
    r = np.corrcoef(x, y)[0, 1]
    assert res["r"] == pytest.approx(r) and res["n"] == 200
    assert res["ci_low"] < r < res["ci_high"]
    half = 1.959963984540054 / math.sqrt(197)
    assert res["ci_low"] == pytest.approx(math.tanh(math.atanh(r) - half))
    assert res["ci_high"] == pytest.approx(math.tanh(math.atanh(r) + half))
    assert pearson_rows("m", "mpra", "HMEC/log2fc", "ridge", x, y)[0]["metric"] == "pearson_r"


def test_pearson_edge_cases():
    assert pearson_with_fisher_ci([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])["r"] == pytest.approx(1.0)
    res = pearson_with_fisher_ci([1, 2, np.nan, 4, 5], [1, 3, 2, 5, 4])
    assert res["n"] == 4 and res["n_dropped"] == 1
    with pytest.raises(MetricInputError):
        pearson_with_fisher_ci([1, 1, 1, 1], [1, 2, 3, 4])


def test_roc_curve_points_are_thinned_monotone():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 5000)
    fpr, tpr = roc_curve_points(labels, rng.normal(size=5000) + labels, max_points=50)
    assert len(fpr) <= 50 and fpr[0] == 0 and fpr[-1] == 1 and tpr[-1] == 1
    assert (np.diff(fpr) >= 0).all() and (np.diff(tpr) >= 0).all()


def test_hand_computed_values_on_tiny_inputs():
    # 2 positives x 2 negatives: pairs (0.9 > 0.5), (0.9 > 0.1), (0.4 < 0.5), (0.4 > 0.1) -> 3 of 4
    res = roc_auc_with_ci([1, 1, 0, 0], [0.9, 0.4, 0.5, 0.1], n_boot=0)
    assert res["value"] == pytest.approx(0.75)
    # a tie counts one half: (0.5 = 0.5) -> (1 + 0.5) / 2
    assert roc_auc_with_ci([1, 0, 0], [0.5, 0.5, 0.1], n_boot=0)["value"] == pytest.approx(0.75)
    # reversed scores: raw 0.25, flipped max(AUC, 1 - AUC) = 0.75
    flipped = roc_auc_with_ci([1, 1, 0, 0], [0.1, 0.5, 0.4, 0.9], n_boot=0)
    assert flipped["value"] == pytest.approx(0.25) and flipped["flipped_value"] == pytest.approx(0.75)
    # Pearson of (1,2,3,4,5) with (2,1,4,3,5): cov 3.2 / var 2 -> r = 0.8; Fisher z CI with se 1/sqrt(n-3)
    res = pearson_with_fisher_ci([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    z, se = np.arctanh(0.8), 1 / np.sqrt(2)
    assert res["r"] == pytest.approx(0.8)
    assert res["ci_low"] == pytest.approx(np.tanh(z - 1.959964 * se), abs=1e-5)
    assert res["ci_high"] == pytest.approx(np.tanh(z + 1.959964 * se), abs=1e-5)
