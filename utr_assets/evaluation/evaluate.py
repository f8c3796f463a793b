"""One model on one task: from its scoring outputs to tidy metric rows (METRIC_COLUMNS + status,
reason) and ROC curve points (ROC_COLUMNS). Plain Python over the task modules; the Dagster glue is
in `assets.py`, the stacking over models in `leaderboard.py`.

What belongs here: which score each task reads from which scoring output (docs/protocol.md §5), the protocol
options (folds, grids, bootstrap) and turning a capability the model lacks into a not-applicable row.
Not here: the formulas (`metrics`), the probes (`probes`), the per-task building blocks (`task_*`).

Conventions: per-base arrays are keyed by utr_id, RNA orientation; probabilities (L, 4) ACGT, site
scores (L,). Embedding matrices come with their row ids. Rows whose features are not finite (a
sequence shorter than k, no content token) are dropped from the probes and counted in n_dropped.
``probability_mode`` names the mode of the model probabilities a row's score came from (masked |
unmasked | reference_aware; "" for embeddings, probes and non-model scores).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.evaluation.metrics import METRIC_COLUMNS, MetricInputError
from utr_assets.evaluation.plots import ROC_COLUMNS, roc_curve_table
from utr_assets.evaluation.probes import MLP_GRID, RIDGE_ALPHAS, SVR_GRID, FoldError
from utr_assets.tasks.expression import evaluate_regression
from utr_assets.tasks.rbp import RBP_SPLITS, evaluate_rbp, ref_base_probabilities, score_instances
from utr_assets.tasks.variants import evaluate_mlp, evaluate_zero_shot

TASK_COLUMNS = [*METRIC_COLUMNS, "status", "reason", "probability_mode"]
ZERO_SHOT_SCORES = (
    "pref",
    "palt_inv",
    "pratio",
    "vis",
    "l1",
    "l2",
    "dot",
    "cosine",
    "loss_ref",
    "loss_alt",
    "loss_diff",
    "site_score",
)


@dataclass(frozen=True)
class Protocol:
    """The knobs of docs/protocol.md §5 (study defaults); the sample profile makes them cheaper."""

    n_boot: int = 1000
    seed: int = 0
    mlp_outer_folds: int = 10
    mlp_inner_folds: int = 3
    mlp_grid: Mapping[str, list[Any]] = field(default_factory=lambda: dict(MLP_GRID))
    mpra_outer_folds: int | None = None  # None: leave-one-group-out (the study)
    mpra_probes: tuple[str, ...] = ("ridge", "svr")
    half_life_probes: tuple[str, ...] = ("ridge", "svr")
    svr_grid: Mapping[str, list[Any]] = field(default_factory=lambda: dict(SVR_GRID))


def _not_applicable_row(
    model: str, task: str, reason: str, split: str = "", score: str = ""
) -> dict[str, Any]:
    """A metric the model cannot give (missing capability) or the split's data cannot support (folds)."""
    return {
        "model": model,
        "task": task,
        "split": split,
        "score": score,
        "metric": "",
        "value": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "n": 0,
        "status": "not_applicable",
        "reason": reason,
    }


def not_applicable(model: str, task: str, reason: str) -> pd.DataFrame:
    return _frame([_not_applicable_row(model, task, reason)])


def _frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame(list(rows), columns=TASK_COLUMNS)
    table["status"] = table["status"].fillna("ok")
    table["reason"] = table["reason"].fillna("")
    table["probability_mode"] = table["probability_mode"].fillna("").astype(str)
    for col in ("split", "score", "metric"):
        table[col] = table[col].astype(str)
    for col in ("value", "ci_low", "ci_high"):
        table[col] = table[col].astype(float)
    for col in ("n", "n_pos", "n_neg", "n_dropped"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("Int64")
    return table


def _empty_curves() -> pd.DataFrame:
    return pd.DataFrame(columns=ROC_COLUMNS)


def rbp_motif_metrics(
    model: str,
    instances: pd.DataFrame,
    per_base: Mapping[str, np.ndarray] | None,
    kind: str | None,
    sequences: Mapping[str, str],
    protocol: Protocol = Protocol(),
    probability_mode: str = "",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """AUC of the per-instance score on all motifs and the top/bottom-10% PhyloP positives.

    kind "probabilities": mean P(ref base) over the 5 positions (LMs, Zoo-AL); "site_scores": max of
    the per-base score (PhyloP, CADD); None: not applicable.
    """
    if kind is None or per_base is None:
        return not_applicable(
            model, "rbp_motifs", "the model gives no per-base probabilities or scores"
        ), _empty_curves()
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
        mask = (
            np.ones(len(instances), bool) if column is None else (labels == 0) | instances[column].to_numpy()
        )
        if np.isfinite(scores[mask]).sum() and len(set(labels[mask][np.isfinite(scores[mask])])) == 2:
            curves.append(roc_curve_table(model, "rbp_motifs", split, score, labels[mask], scores[mask]))
    return _frame(rows), (pd.concat(curves, ignore_index=True) if curves else _empty_curves())


def _informative(scores: pd.DataFrame) -> list[str]:
    """Score columns with at least two distinct finite values (a constant score has no AUC to speak of)."""
    candidates = [c for c in scores.columns if c in ZERO_SHOT_SCORES or c.startswith("vis_r")]
    return [c for c in candidates if pd.to_numeric(scores[c], errors="coerce").dropna().nunique() > 1]


def variant_effect_metrics(
    model: str,
    variants: pd.DataFrame,
    scores: pd.DataFrame,
    embeddings: tuple[list[str], np.ndarray, np.ndarray] | None,
    protocol: Protocol = Protocol(),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zero-shot AUCs (raw and flipped) of every informative score column per split, and the MLP probe
    on [ref || alt] window embeddings (gene-grouped and ungrouped CV) when the model embeds."""
    columns = _informative(scores)
    if not columns and embeddings is None:
        return not_applicable(
            model, "variant_effects", "the model gives no variant scores or embeddings"
        ), _empty_curves()
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
            rows.append(_not_applicable_row(model, "variant_effects", str(exc), str(split), "zero_shot"))
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
                rows.append(_not_applicable_row(model, "variant_effects", str(exc), str(split), "mlp"))
                continue
            rows += mlp_rows
    return _frame(_with_modes(rows, scores)), (
        pd.concat(curves, ignore_index=True) if curves else _empty_curves()
    )


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


def _finite_rows(ids: Sequence[str], matrix: np.ndarray) -> tuple[list[str], np.ndarray]:
    ok = np.isfinite(matrix).all(axis=1)
    return [i for i, keep in zip(ids, ok, strict=True) if keep], matrix[ok]


def mpra_metrics(
    model: str,
    mpra: pd.DataFrame,
    ids: Sequence[str] | None,
    matrix: np.ndarray | None,
    protocol: Protocol = Protocol(),
) -> pd.DataFrame:
    """Pearson r (Fisher CI) of out-of-fold Ridge/SVR predictions per cell line and target.

    Griesemer: leave-one-gene-group-out (overlapping oligos share a group); Siegel: leave-one-
    chromosome-out; `protocol.mpra_outer_folds` instead makes that many grouped folds (same groups).
    """
    if matrix is None or ids is None:
        return not_applicable(model, "mpra", "the model gives no sequence embeddings")
    keep_ids, features = _finite_rows(ids, matrix)
    rows: list[dict[str, Any]] = []
    for study, table in mpra.groupby("study", sort=True):
        alphas = RIDGE_ALPHAS["griesemer" if str(study).startswith("griesemer") else "siegel"]
        study_rows, _ = evaluate_regression(
            table,
            keep_ids,
            features,
            model=model,
            task="mpra",
            id_column="oligo_id",
            probes=protocol.mpra_probes,
            alphas=alphas,
            n_outer=protocol.mpra_outer_folds,
            svr_grid=dict(protocol.svr_grid),
            seed=protocol.seed,
        )
        missing = table[~table["oligo_id"].isin(set(keep_ids))]
        rows += _count_dropped(study_rows, (missing["cell_line"] + "/" + missing["target"]).tolist())
    return _frame(rows)


def half_life_metrics(
    model: str,
    half_life: pd.DataFrame,
    ids: Sequence[str] | None,
    matrix: np.ndarray | None,
    protocol: Protocol = Protocol(),
) -> pd.DataFrame:
    """Pearson r of Ridge/SVR over the source's 10 gene folds, one 3'UTR embedding per gene."""
    if matrix is None or ids is None:
        return not_applicable(model, "half_life", "the model gives no sequence embeddings")
    keep_ids, features = _finite_rows(ids, matrix)
    rows, _ = evaluate_regression(
        half_life,
        keep_ids,
        features,
        model=model,
        task="half_life",
        id_column="utr_id",
        probes=protocol.half_life_probes,
        svr_grid=dict(protocol.svr_grid),
        seed=protocol.seed,
    )
    missing = int((~half_life["utr_id"].isin(set(keep_ids))).sum())
    return _frame(_count_dropped(rows, ["all"] * missing))


def _count_dropped(rows: list[dict[str, Any]], missing_splits: list[str]) -> list[dict[str, Any]]:
    """Add the samples without finite features (one split name each) to the rows' n_dropped."""
    counts = Counter(missing_splits)
    return [r | {"n_dropped": int(r.get("n_dropped") or 0) + counts.get(r["split"], 0)} for r in rows]
