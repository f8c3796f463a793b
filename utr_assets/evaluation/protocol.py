"""The evaluation protocol's knobs and the tidy table every task evaluation returns.

What belongs here: `Protocol` (folds, grids, bootstrap size of docs/protocol.md §5), the task table's
columns (`TASK_COLUMNS`: METRIC_COLUMNS + status, reason, probability_mode), not-applicable rows (a
capability the model lacks, a split the data cannot support) and the small row helpers the per-task
modules share. Not here: which score a task reads (`rbp_motifs`, `variant_effects`, `expression`),
the formulas (`metrics`) or the probes (`probes`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.evaluation.metrics import METRIC_COLUMNS
from utr_assets.evaluation.mlp_probe import MLP_GRID
from utr_assets.evaluation.plots import ROC_COLUMNS
from utr_assets.evaluation.probes import SVR_GRID

TASK_COLUMNS = [*METRIC_COLUMNS, "status", "reason", "probability_mode"]


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


STUDY_PROTOCOL = Protocol()  # the default of every task evaluation (frozen, so one instance serves all)


def not_applicable_row(
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
    return task_frame([not_applicable_row(model, task, reason)])


def task_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Metric rows as the task table: TASK_COLUMNS with their dtypes, status "ok" where unset."""
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


def empty_curves() -> pd.DataFrame:
    return pd.DataFrame(columns=ROC_COLUMNS)


def concat_curves(curves: list[pd.DataFrame]) -> pd.DataFrame:
    """The ROC curve tables of a task's splits as one table (empty, with ROC_COLUMNS, when none)."""
    return pd.concat(curves, ignore_index=True) if curves else empty_curves()


def finite_rows(ids: Sequence[str], matrix: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The embedding rows whose features are all finite, with their ids."""
    ok = np.isfinite(matrix).all(axis=1)
    return [i for i, keep in zip(ids, ok, strict=True) if keep], matrix[ok]


def count_dropped(rows: list[dict[str, Any]], missing_splits: list[str]) -> list[dict[str, Any]]:
    """Add the samples without finite features (one split name each) to the rows' n_dropped."""
    counts = Counter(missing_splits)
    return [r | {"n_dropped": int(r.get("n_dropped") or 0) + counts.get(r["split"], 0)} for r in rows]
