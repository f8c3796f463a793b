"""Metrics of docs/protocol.md §5 with their confidence intervals: ROC AUC (stratified bootstrap CI, raw and
flipped for zero-shot scores), Pearson r (Fisher-z CI) and ROC curve points for plots.

Cross-validated probes (Ridge, SVR, MLP) live in `probes`; this module only turns labels/targets and
scores/predictions into numbers. Everything random takes a seed.

Bootstrap design: the task sets are built case-control style (a fixed number of positives and of
negatives, sampled separately), so the bootstrap resamples positives and negatives separately
(stratified). Every replicate then has both classes and the same class balance as the data, and the
CI describes the sampling variability of the design actually used. Percentile intervals.

NaN/inf scores: rows whose score is not finite are dropped before anything is computed, and the
count is returned as `n_dropped` (a model that cannot score a variant must not silently score 0).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np


class MetricInputError(ValueError):
    """Inputs a metric cannot be computed from (one class only, mismatched lengths, ...)."""


def _clean_binary(labels: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, int]:
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise MetricInputError(f"labels {y.shape} and scores {s.shape} must be 1-D and the same length")
    if y.dtype == bool:
        y = y.astype(int)
    uniq = set(np.unique(y[~np.isnan(y.astype(float))]).tolist()) if y.size else set()
    if not uniq <= {0, 1}:
        raise MetricInputError(f"labels must be 0/1, got values {sorted(uniq)[:5]}")
    keep = np.isfinite(s)
    return y[keep].astype(np.int8), s[keep], int((~keep).sum())


def _auc_weighted(pos_w: np.ndarray, neg_w: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Mann-Whitney AUC with integer multiplicities (bootstrap counts); ties count 1/2.

    `lo`/`hi` are searchsorted(left/right) positions of each positive among the sorted negatives.
    """
    cum = np.concatenate(([0.0], np.cumsum(neg_w)))
    below = cum[lo]  # weight of negatives strictly below each positive
    ties = cum[hi] - cum[lo]
    n_pos, n_neg = pos_w.sum(), neg_w.sum()
    return float(np.dot(pos_w, below + 0.5 * ties) / (n_pos * n_neg))


def roc_auc_with_ci(
    labels: Any, scores: Any, n_boot: int = 1000, seed: int = 0, level: float = 0.95
) -> dict[str, float | int]:
    """ROC AUC of `scores` for binary `labels` (1 = positive) with a stratified bootstrap CI.

    Returns value, ci_low, ci_high, flipped_value (max(AUC, 1 - AUC), the study's zero-shot
    convention: a score may be informative with either sign), flipped (bool as 0/1: whether the
    flip applied), n_pos, n_neg, n_dropped (non-finite scores removed).
    """
    y, s, n_dropped = _clean_binary(labels, scores)
    pos, neg = s[y == 1], s[y == 0]
    if pos.size == 0 or neg.size == 0:
        raise MetricInputError(
            f"ROC AUC needs both classes: {pos.size} positives, {neg.size} negatives "
            f"after dropping {n_dropped} non-finite scores"
        )
    neg_sorted = np.sort(neg)
    lo = np.searchsorted(neg_sorted, pos, side="left")
    hi = np.searchsorted(neg_sorted, pos, side="right")
    value = _auc_weighted(np.ones(pos.size), np.ones(neg.size), lo, hi)
    rng = np.random.default_rng(seed)
    boots = np.empty(n_boot)
    for b in range(n_boot):
        pos_w = np.bincount(rng.integers(0, pos.size, pos.size), minlength=pos.size).astype(float)
        neg_w = np.bincount(rng.integers(0, neg.size, neg.size), minlength=neg.size).astype(float)
        boots[b] = _auc_weighted(pos_w, neg_w, lo, hi)
    alpha = (1.0 - level) / 2.0
    ci_low, ci_high = (
        (float(q) for q in np.quantile(boots, [alpha, 1.0 - alpha])) if n_boot else (math.nan,) * 2
    )
    return {
        "value": value,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "flipped_value": max(value, 1.0 - value),
        "flipped": int(value < 0.5),
        "n_pos": int(pos.size),
        "n_neg": int(neg.size),
        "n_dropped": n_dropped,
    }


def flip_ci(result: dict[str, float | int]) -> tuple[float, float]:
    """The CI of the flipped AUC: the raw interval mirrored when the flip applied."""
    if result["flipped"]:
        return 1.0 - float(result["ci_high"]), 1.0 - float(result["ci_low"])
    return float(result["ci_low"]), float(result["ci_high"])


def pearson_with_fisher_ci(y: Any, yhat: Any, level: float = 0.95) -> dict[str, float | int]:
    """Pearson r with the Fisher-z CI (tanh(atanh(r) +- z / sqrt(n - 3))); non-finite pairs dropped."""
    a = np.asarray(y, dtype=float)
    b = np.asarray(yhat, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise MetricInputError(f"y {a.shape} and yhat {b.shape} must be 1-D and the same length")
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    n = int(a.size)
    if n < 3 or np.std(a) == 0 or np.std(b) == 0:
        raise MetricInputError(f"Pearson r needs >= 3 finite pairs with non-constant values (n={n})")
    r = float(np.corrcoef(a, b)[0, 1])
    if n <= 3:
        return {"r": r, "ci_low": math.nan, "ci_high": math.nan, "n": n, "n_dropped": int((~keep).sum())}
    z = math.atanh(min(max(r, -1 + 1e-15), 1 - 1e-15))
    half = NormalDist().inv_cdf(0.5 + level / 2.0) / math.sqrt(n - 3)
    return {
        "r": r,
        "ci_low": math.tanh(z - half),
        "ci_high": math.tanh(z + half),
        "n": n,
        "n_dropped": int((~keep).sum()),
    }


def roc_curve_points(labels: Any, scores: Any, max_points: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(fpr, tpr) of the ROC curve, thinned to at most `max_points` (end points kept) for plotting."""
    from sklearn.metrics import roc_curve

    y, s, _ = _clean_binary(labels, scores)
    fpr, tpr, _ = roc_curve(y, s)
    if fpr.size > max_points:
        idx = np.unique(np.linspace(0, fpr.size - 1, max_points).round().astype(int))
        fpr, tpr = fpr[idx], tpr[idx]
    return fpr, tpr


# Tidy result rows: one dict per number; `leaderboard` stacks them (METRIC_COLUMNS).
METRIC_COLUMNS = [
    "model",
    "task",
    "split",
    "score",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "n_pos",
    "n_neg",
    "n_dropped",
]


def auc_rows(
    model: str,
    task: str,
    split: str,
    score: str,
    labels: Any,
    scores: Any,
    *,
    zero_shot: bool,
    n_boot: int = 1000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """`roc_auc` (raw) and, for zero-shot scores, `roc_auc_flipped` (max(AUC, 1-AUC), mirrored CI)."""
    res = roc_auc_with_ci(labels, scores, n_boot=n_boot, seed=seed)
    base = {
        "model": model,
        "task": task,
        "split": split,
        "score": score,
        "n": res["n_pos"] + res["n_neg"],
        "n_pos": res["n_pos"],
        "n_neg": res["n_neg"],
        "n_dropped": res["n_dropped"],
    }
    rows = [
        {
            **base,
            "metric": "roc_auc",
            "value": res["value"],
            "ci_low": res["ci_low"],
            "ci_high": res["ci_high"],
        }
    ]
    if zero_shot:
        lo, hi = flip_ci(res)
        rows.append(
            {**base, "metric": "roc_auc_flipped", "value": res["flipped_value"], "ci_low": lo, "ci_high": hi}
        )
    return rows


def pearson_rows(model: str, task: str, split: str, score: str, y: Any, yhat: Any) -> list[dict[str, Any]]:
    res = pearson_with_fisher_ci(y, yhat)
    return [
        {
            "model": model,
            "task": task,
            "split": split,
            "score": score,
            "metric": "pearson_r",
            "value": res["r"],
            "ci_low": res["ci_low"],
            "ci_high": res["ci_high"],
            "n": res["n"],
            "n_pos": None,
            "n_neg": None,
            "n_dropped": res["n_dropped"],
        }
    ]
