"""Task 1 (docs/protocol.md §5), RBP motifs: from per-base model outputs to AUC rows and ROC curves.

What belongs here: the instance score (mean P(reference base) over the motif's 5 positions for models
and Zoo-AL, max of the per-base score for PhyloP and CADD), the three splits (all motifs, top/bottom-10%
PhyloP positives against every negative) and `rbp_motif_metrics`, the task's entry point. Not here: the
motif instances themselves (`utr_assets.tasks.rbp`), the AUC and its CI (`metrics`), the row format
(`protocol`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.common.sequences import base_codes
from utr_assets.evaluation.metrics import auc_rows
from utr_assets.evaluation.plots import roc_curve_table
from utr_assets.evaluation.protocol import (
    STUDY_PROTOCOL,
    Protocol,
    concat_curves,
    empty_curves,
    not_applicable,
    task_frame,
)
from utr_assets.tasks.rbp import K


def ref_base_probabilities(probs: np.ndarray, sequence: str) -> np.ndarray:
    """P(reference base) per position from an (L, 4) ACGT probability array; NaN at N."""
    codes = base_codes(sequence)
    if probs.shape != (codes.size, 4):
        raise ValueError(f"probabilities {probs.shape} do not match a sequence of length {codes.size}")
    out = np.full(codes.size, np.nan)
    ok = codes >= 0
    out[ok] = probs[np.flatnonzero(ok), codes[ok]]
    return out


def score_instances(
    instances: pd.DataFrame, per_base: Mapping[str, np.ndarray], reduce: str = "mean"
) -> np.ndarray:
    """One score per instance from per-base values (utr_id -> array in RNA orientation).

    reduce "mean" (P(ref) of LMs, Zoo-AL) or "max" (PhyloP, CADD); NaN when the UTR has no values or
    all 5 are NaN (counted as dropped by the metrics, never as 0).
    """
    reducers: dict[str, Callable[[np.ndarray], float]] = {"mean": np.nanmean, "max": np.nanmax}
    fn = reducers[reduce]
    out = np.full(len(instances), np.nan)
    for i, (utr, off) in enumerate(zip(instances["utr_id"], instances["offset"], strict=True)):
        values = per_base.get(utr)
        if values is None:
            continue
        window = np.asarray(values[off : off + K], dtype=float)
        if window.size == K and np.isfinite(window).any():
            out[i] = fn(window)
    return out


RBP_SPLITS = {"all": None, "top10_phylop": "top_conserved", "bottom10_phylop": "bottom_conserved"}


def _split_mask(instances: pd.DataFrame, labels: np.ndarray, column: str | None) -> np.ndarray:
    """The instances of one split: all of them, or every negative and the positives flagged in `column`."""
    return np.ones(len(instances), bool) if column is None else (labels == 0) | instances[column].to_numpy()


def evaluate_rbp(
    instances: pd.DataFrame, scores: np.ndarray, *, model: str, score: str, n_boot: int = 1000, seed: int = 0
) -> list[dict[str, Any]]:
    """AUC rows on all instances and on the top/bottom-conserved positives (all negatives kept)."""
    rows: list[dict[str, Any]] = []
    labels = instances["label"].to_numpy()
    for split, column in RBP_SPLITS.items():
        mask = _split_mask(instances, labels, column)
        if (labels[mask] == 1).sum() == 0 or (labels[mask] == 0).sum() == 0:
            continue
        rows += auc_rows(
            model,
            "rbp_motifs",
            split,
            score,
            labels[mask],
            np.asarray(scores)[mask],
            zero_shot=False,
            n_boot=n_boot,
            seed=seed,
        )
    return rows


def rbp_motif_metrics(
    model: str,
    instances: pd.DataFrame,
    per_base: Mapping[str, np.ndarray] | None,
    kind: str | None,
    sequences: Mapping[str, str],
    protocol: Protocol = STUDY_PROTOCOL,
    probability_mode: str = "",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """AUC of the per-instance score on all motifs and the top/bottom-10% PhyloP positives.

    kind "probabilities": mean P(ref base) over the 5 positions (LMs, Zoo-AL); "site_scores": max of
    the per-base score (PhyloP, CADD); None: not applicable.
    """
    if kind is None or per_base is None:
        return not_applicable(
            model, "rbp_motifs", "the model gives no per-base probabilities or scores"
        ), empty_curves()
    if kind == "probabilities":
        values = {u: ref_base_probabilities(p, sequences[u]) for u, p in per_base.items()}
        score, reduce = "p_ref_mean", "mean"
    else:
        values, score, reduce = dict(per_base), "site_score_max", "max"
    scores = score_instances(instances, values, reduce)
    rows = evaluate_rbp(
        instances, scores, model=model, score=score, n_boot=protocol.n_boot, seed=protocol.seed
    )
    rows = [r | {"probability_mode": probability_mode if kind == "probabilities" else ""} for r in rows]
    labels = instances["label"].to_numpy()
    curves = []
    for split, column in RBP_SPLITS.items():
        mask = _split_mask(instances, labels, column)
        if np.isfinite(scores[mask]).sum() and len(set(labels[mask][np.isfinite(scores[mask])])) == 2:
            curves.append(roc_curve_table(model, "rbp_motifs", split, score, labels[mask], scores[mask]))
    return task_frame(rows), concat_curves(curves)
