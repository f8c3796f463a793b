"""Task 2 (docs/protocol.md §5), variant effects: from variant scores and embeddings to AUC rows.

What belongs here: the zero-shot AUCs (raw and flipped) of every informative variant score per split,
the MLP probe on [ref || alt] window embeddings (gene-grouped and ungrouped CV), the probability mode of
each row, and `variant_effect_metrics`, the task's entry point. Not here: the variant splits
(`utr_assets.tasks.variants`), the scores themselves (`utr_assets.scoring.variants`), the MLP probe's
folds and fits (`mlp_probe`), the row format (`protocol`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from utr_assets.evaluation.folds import FoldError
from utr_assets.evaluation.metrics import MetricInputError, auc_rows
from utr_assets.evaluation.mlp_probe import cv_mlp_probabilities, mlp_features
from utr_assets.evaluation.plots import roc_curve_table
from utr_assets.evaluation.protocol import (
    STUDY_PROTOCOL,
    Protocol,
    concat_curves,
    empty_curves,
    not_applicable,
    not_applicable_row,
    task_frame,
)
from utr_assets.scoring.variants import SCORE_COLUMNS

ZERO_SHOT_SCORES = tuple(SCORE_COLUMNS)  # the variant scores a zero-shot AUC may read (scoring.variants)


def evaluate_zero_shot(
    variants: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    model: str,
    score_columns: list[str],
    n_boot: int = 1000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """AUC (raw and flipped) of every score column per split; `scores` keyed by variant_id.

    Variants without a score get NaN and are dropped by the metric (counted in n_dropped).
    """
    merged = variants.merge(
        scores[["variant_id", *score_columns]].drop_duplicates("variant_id"), on="variant_id", how="left"
    )
    rows: list[dict[str, Any]] = []
    for split, table in merged.groupby("split", sort=True):
        for col in score_columns:
            rows += auc_rows(
                model,
                "variant_effects",
                str(split),
                col,
                table["label"],
                table[col],
                zero_shot=True,
                n_boot=n_boot,
                seed=seed,
            )
    return rows


def evaluate_mlp(
    variants: pd.DataFrame,
    variant_ids: list[str],
    emb_ref: np.ndarray,
    emb_alt: np.ndarray,
    *,
    model: str,
    n_outer: int = 10,
    n_inner: int = 3,
    param_grid: dict[str, list[Any]] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """MLP on [ref || alt] embeddings per split: gene-grouped CV (`mlp_grouped`) and ungrouped
    (`mlp_ungrouped`). Returns the AUC rows and the out-of-fold predictions (split, variant_id,
    label, cv, probability). `variant_ids` names the embedding rows."""
    row_of = {v: i for i, v in enumerate(variant_ids)}
    features = mlp_features(emb_ref, emb_alt)
    rows: list[dict[str, Any]] = []
    preds = []
    for split, table in variants.groupby("split", sort=True):
        table = table[table["variant_id"].isin(row_of)]
        X = features[[row_of[v] for v in table["variant_id"]]]
        y = table["label"].to_numpy()
        for cv, groups in (("mlp_grouped", table["gene_id"].to_numpy()), ("mlp_ungrouped", None)):
            prob = cv_mlp_probabilities(
                X, y, groups, n_outer=n_outer, n_inner=n_inner, param_grid=param_grid, seed=seed
            )
            rows += auc_rows(
                model, "variant_effects", str(split), cv, y, prob, zero_shot=False, n_boot=n_boot, seed=seed
            )
            preds.append(
                pd.DataFrame(
                    {
                        "split": split,
                        "variant_id": table["variant_id"].to_numpy(),
                        "label": y,
                        "cv": cv,
                        "probability": prob,
                    }
                )
            )
    return rows, (pd.concat(preds, ignore_index=True) if preds else pd.DataFrame())


def _informative(scores: pd.DataFrame) -> list[str]:
    """Score columns with at least two distinct finite values (a constant score has no AUC to speak of)."""
    candidates = [c for c in scores.columns if c in ZERO_SHOT_SCORES or c.startswith("vis_r")]
    return [c for c in candidates if pd.to_numeric(scores[c], errors="coerce").dropna().nunique() > 1]


def variant_effect_metrics(
    model: str,
    variants: pd.DataFrame,
    scores: pd.DataFrame,
    embeddings: tuple[list[str], np.ndarray, np.ndarray] | None,
    protocol: Protocol = STUDY_PROTOCOL,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zero-shot AUCs (raw and flipped) of every informative score column per split, and the MLP probe
    on [ref || alt] window embeddings (gene-grouped and ungrouped CV) when the model embeds."""
    columns = _informative(scores)
    if not columns and embeddings is None:
        return not_applicable(
            model, "variant_effects", "the model gives no variant scores or embeddings"
        ), empty_curves()
    rows: list[dict[str, Any]] = []
    curves = []
    for split, table in variants.groupby("split", sort=True):
        merged = table.merge(
            scores[["variant_id", *columns]].drop_duplicates("variant_id"), on="variant_id", how="left"
        )
        usable = [c for c in columns if merged[c].notna().any()]
        try:
            split_rows = evaluate_zero_shot(
                table, scores, model=model, score_columns=usable, n_boot=protocol.n_boot, seed=protocol.seed
            )
        except MetricInputError as exc:
            rows.append(not_applicable_row(model, "variant_effects", str(exc), str(split), "zero_shot"))
            continue
        rows += split_rows
        flipped = [r for r in split_rows if r["metric"] == "roc_auc_flipped" and np.isfinite(r["value"])]
        if flipped:  # the ROC curve of the model's best zero-shot score on this split
            best = max(flipped, key=lambda r: r["value"])["score"]
            finite = merged[best].notna()
            values = merged.loc[finite, best].to_numpy(dtype=float)
            raw = next(r["value"] for r in split_rows if r["score"] == best and r["metric"] == "roc_auc")
            curves.append(
                roc_curve_table(
                    model,
                    "variant_effects",
                    str(split),
                    best,
                    merged.loc[finite, "label"],
                    values if raw >= 0.5 else -values,
                )
            )
    if embeddings is not None:
        ids, ref, alt = embeddings
        finite = np.isfinite(ref).all(axis=1) & np.isfinite(alt).all(axis=1)
        keep = [v for v, ok in zip(ids, finite, strict=True) if ok]
        for split, table in variants.groupby("split", sort=True):
            try:
                mlp_rows, _ = evaluate_mlp(
                    table,
                    keep,
                    ref[finite],
                    alt[finite],
                    model=model,
                    n_outer=protocol.mlp_outer_folds,
                    n_inner=protocol.mlp_inner_folds,
                    param_grid=dict(protocol.mlp_grid),
                    n_boot=protocol.n_boot,
                    seed=protocol.seed,
                )
            except (FoldError, MetricInputError) as exc:
                rows.append(not_applicable_row(model, "variant_effects", str(exc), str(split), "mlp"))
                continue
            rows += mlp_rows
    return task_frame(_with_modes(rows, scores)), concat_curves(curves)


def _with_modes(rows: list[dict[str, Any]], scores: pd.DataFrame) -> list[dict[str, Any]]:
    """Each zero-shot row with the probability mode its score was read in (variant_scores' mode columns)."""

    def mode(column: str) -> str:
        if column not in scores:
            return ""
        values = sorted(set(scores[column].dropna().astype(str)) - {""})
        return "+".join(values)

    allele, vis = mode("allele_probability_mode"), mode("vis_probability_mode")
    by_score = {"pref": allele, "palt_inv": allele, "pratio": allele, "vis": vis}
    return [
        r | {"probability_mode": by_score.get(r["score"], vis if str(r["score"]).startswith("vis_r") else "")}
        for r in rows
    ]
