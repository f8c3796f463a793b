"""Tasks 3 and 4 (docs/protocol.md §5), MPRA activity and mRNA half-life: from sequence embeddings to
Pearson r rows.

What belongs here: the cross-validated regression of a task's values on embeddings (`evaluate_regression`:
splits per cell line/target or the source's folds, Ridge/SVR probes, Pearson r with Fisher CI) and the two
entry points `mpra_metrics` and `half_life_metrics` (which ridge grid per study, which rows lack finite
features). Not here: the datasets and their CV groups (`utr_assets.tasks.expression`), the probes
(`probes`), the row format (`protocol`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.evaluation.metrics import pearson_rows
from utr_assets.evaluation.probes import RIDGE_ALPHAS, cv_regression_predictions, group_folds
from utr_assets.evaluation.protocol import (
    STUDY_PROTOCOL,
    Protocol,
    count_dropped,
    finite_rows,
    not_applicable,
    task_frame,
)


def evaluate_regression(
    samples: pd.DataFrame,
    ids: Sequence[str],
    features: np.ndarray,
    *,
    model: str,
    task: str,
    id_column: str,
    probes: Sequence[str] = ("ridge", "svr"),
    alphas: Sequence[float] | np.ndarray | None = None,
    n_outer: int | None = None,
    svr_grid: dict[str, list[Any]] | None = None,
    seed: int = 0,
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Pearson r rows per split and probe, and out-of-fold predictions.

    `samples`: an MPRA dataset (split per cell_line/target, folds from `group`: leave-one-group-out,
    or `n_outer` grouped folds) or a half-life dataset (one split "all", the given `fold`s).
    `features[i]` belongs to `ids[i]`; rows of `samples` are matched on `id_column`.
    """
    row_of = {v: i for i, v in enumerate(ids)}
    if "fold" in samples.columns:
        splits = [("all", samples)]
        alphas = alphas if alphas is not None else RIDGE_ALPHAS["half_life"]
    else:
        splits = [(f"{c}/{t}", tab) for (c, t), tab in samples.groupby(["cell_line", "target"], sort=True)]
    rows: list[dict[str, Any]] = []
    preds = []
    for split, table in splits:
        table = table[table[id_column].isin(row_of)]
        X = features[[row_of[v] for v in table[id_column]]]
        y = table["value"].to_numpy(dtype=float)
        if "fold" in table.columns:
            folds, groups = table["fold"].to_numpy(), table["fold"].to_numpy()
        else:
            groups = table["group"].to_numpy()
            folds = group_folds(groups, n_outer, seed)
        for probe in probes:
            pred = cv_regression_predictions(
                X, y, folds=folds, groups=groups, model=probe, alphas=alphas, svr_grid=svr_grid, seed=seed
            )
            rows += pearson_rows(model, task, split, probe, y, pred)
            preds.append(
                pd.DataFrame(
                    {
                        "split": split,
                        id_column: table[id_column].to_numpy(),
                        "probe": probe,
                        "value": y,
                        "prediction": pred,
                    }
                )
            )
    return rows, (pd.concat(preds, ignore_index=True) if preds else pd.DataFrame())


def mpra_metrics(
    model: str,
    mpra: pd.DataFrame,
    ids: Sequence[str] | None,
    matrix: np.ndarray | None,
    protocol: Protocol = STUDY_PROTOCOL,
) -> pd.DataFrame:
    """Pearson r (Fisher CI) of out-of-fold Ridge/SVR predictions per cell line and target.

    Griesemer: leave-one-gene-group-out (overlapping oligos share a group); Siegel: leave-one-
    chromosome-out; `protocol.mpra_outer_folds` instead makes that many grouped folds (same groups).
    """
    if matrix is None or ids is None:
        return not_applicable(model, "mpra", "the model gives no sequence embeddings")
    keep_ids, features = finite_rows(ids, matrix)
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
        rows += count_dropped(study_rows, (missing["cell_line"] + "/" + missing["target"]).tolist())
    return task_frame(rows)


def half_life_metrics(
    model: str,
    half_life: pd.DataFrame,
    ids: Sequence[str] | None,
    matrix: np.ndarray | None,
    protocol: Protocol = STUDY_PROTOCOL,
) -> pd.DataFrame:
    """Pearson r of Ridge/SVR over the source's 10 gene folds, one 3'UTR embedding per gene."""
    if matrix is None or ids is None:
        return not_applicable(model, "half_life", "the model gives no sequence embeddings")
    keep_ids, features = finite_rows(ids, matrix)
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
    return task_frame(count_dropped(rows, ["all"] * missing))
