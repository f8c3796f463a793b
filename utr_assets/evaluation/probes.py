"""Cross-validated supervised probes of docs/protocol.md §5, returning out-of-fold predictions only.

- Regressors (MPRA, half-life): Ridge with the alpha grid tuned by inner grouped k-fold CV (what the
  study's RidgeCV(cv=GroupKFold) did; sklearn's RidgeCV cannot take groups without metadata routing,
  so it is a GridSearchCV over Ridge(alpha)) and RBF SVR with C/epsilon/gamma tuned the same way.
  Standardisation of X (and of y for the SVR, so epsilon is in SD units) is inside the pipeline, so
  it is fitted on training folds only. Ridge's inner choice is the lowest summed squared error over
  the inner folds. Both are computed without per-grid-point refits of X: `fast_ridge` (every alpha
  from one eigendecomposition per fold; `fast_ridge_torch` on CUDA), `fast_svr` (one kernel matrix per
  split and gamma). The MLP's adam folds can run as a batched torch replay (`torch_mlp`).
- Outer folds are given as one fold label per sample: leave-one-group-out, k grouped folds, or the
  10 folds a source provides (half-life). No group may sit in two outer folds (checked).
- MLP classifier on [embedding_ref || embedding_alt] with gene-grouped StratifiedGroupKFold outer CV
  (or ungrouped StratifiedKFold, reported for comparison) and inner CV for the hyper-parameters.
  Every outer and inner fold must hold both classes in train and test, else `FoldError`.

Metrics of the predictions (Pearson r, ROC AUC) are in `metrics`. Everything takes a seed.

What belongs here: the regression probes (Ridge, RBF SVR) and their grids. The folds and their checks are
`folds`, the MLP classifier `mlp_probe`; both are re-exported here so every probe has one address.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

from utr_assets.common import progress
from utr_assets.evaluation.fast_ridge import fold_predictions
from utr_assets.evaluation.fast_svr import param_grid, svr_fold_predictions
from utr_assets.evaluation.folds import FoldError, check_grouping, group_folds, inner_group_splits
from utr_assets.evaluation.mlp_probe import MLP_GRID, cv_mlp_probabilities, mlp_features, use_torch

__all__ = [  # the MLP probe and the folds are re-exported: callers import every probe from here
    "MLP_GRID",
    "RIDGE_ALPHAS",
    "SVR_GRID",
    "FoldError",
    "check_grouping",
    "cv_mlp_probabilities",
    "cv_regression_predictions",
    "group_folds",
    "mlp_features",
]

# The study's RidgeCV grids (docs/protocol.md): Griesemer 10.**np.arange(1, 5), Siegel 10.**np.arange(0, 5, 0.5)
# (mpra_*/regression/run_regressor.py), half-life 10.**np.arange(-5, 6) (half_life/regression/run_regressor.py).
RIDGE_ALPHAS: dict[str, np.ndarray] = {
    "griesemer": 10.0 ** np.arange(1, 5),
    "siegel": 10.0 ** np.arange(0, 5, 0.5),
    "half_life": 10.0 ** np.arange(-5, 6),
}
SVR_GRID: dict[str, list[Any]] = {"C": [0.1, 1.0, 10.0], "epsilon": [0.1, 0.5], "gamma_factor": [0.1, 1.0]}


def _svr(n_features: int, svr_grid: dict[str, list[Any]] | None) -> tuple[Any, dict[str, list[Any]]]:
    spec = svr_grid or SVR_GRID
    # gamma as a multiple of 1/n_features ("scale" on standardised X)
    grid = {
        "regressor__svr__C": list(spec["C"]),
        "regressor__svr__epsilon": list(spec["epsilon"]),
        "regressor__svr__gamma": [f / n_features for f in spec["gamma_factor"]],
    }
    est = TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), SVR(kernel="rbf")), transformer=StandardScaler()
    )
    return est, grid


def cv_regression_predictions(
    X: Any,
    y: Any,
    *,
    folds: Any,
    groups: Any | None = None,
    model: str = "ridge",
    alphas: Iterable[float] | None = None,
    svr_grid: dict[str, list[Any]] | None = None,
    n_inner: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """Out-of-fold predictions of a Ridge or RBF-SVR regressor.

    `folds`: outer fold label per sample. `groups`: group per sample for the inner CV (and checked
    against `folds`); defaults to `folds`. Hyper-parameters are chosen per outer fold by inner
    grouped CV on its training part (neg. MSE).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    folds = np.asarray(folds)
    groups = folds if groups is None else np.asarray(groups)
    if not (X.ndim == 2 and X.shape[0] == y.size == folds.size == groups.size):
        raise ValueError(f"X {X.shape}, y {y.shape}, folds {folds.shape}, groups {groups.shape} disagree")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("X and y must be finite (drop or impute missing values before the probe)")
    if model not in ("ridge", "svr"):
        raise ValueError(f"unknown regressor {model!r}; use 'ridge' or 'svr'")
    check_grouping(folds, groups)
    pred = np.full(y.size, np.nan)
    if model == "ridge":  # every alpha from one eigendecomposition per fold (fast_ridge)
        grid_alphas = np.asarray(list(alphas if alphas is not None else RIDGE_ALPHAS["siegel"]), dtype=float)
        shift_x, shift_y = X.mean(axis=0), float(y.mean())  # Ridge with intercept is shift-invariant
        Xs, ys = X - shift_x, y - shift_y
        device = _ridge_device(Xs, ys)  # (X, y) on CUDA when available (fast_ridge_torch), else None
    bar = progress.task(f"{model} probe, outer folds", int(np.unique(folds).size), "fold")
    for fold in np.unique(folds):
        bar.update(1)  # counted as the fold starts: "fold k of n"
        test = folds == fold
        train = ~test
        if train.sum() < 2:
            raise FoldError(f"outer fold {fold!r} leaves {int(train.sum())} training samples")
        if model == "ridge":
            inner = inner_group_splits(groups[train], n_inner, seed)
            if device is not None:
                from utr_assets.evaluation.fast_ridge_torch import fold_predictions as on_device

                pred[test] = on_device(
                    *device, np.flatnonzero(train), inner, grid_alphas, np.flatnonzero(test)
                )[0]
            else:
                pred[test] = fold_predictions(Xs[train], ys[train], inner, grid_alphas, Xs[test])[0]
            pred[test] += shift_y
            continue
        # GridSearchCV of _svr()'s pipeline, with kernels shared across the C/epsilon grid (fast_svr)
        _, grid = _svr(X.shape[1], svr_grid)
        points = param_grid(
            grid["regressor__svr__C"], grid["regressor__svr__epsilon"], grid["regressor__svr__gamma"]
        )
        inner = inner_group_splits(groups[train], n_inner, seed)
        pred[test] = svr_fold_predictions(X[train], y[train], inner, X[test], points)[0]
    bar.close()
    return pred


def _ridge_device(X: np.ndarray, y: np.ndarray) -> tuple[Any, Any] | None:
    """(X, y) as float64 CUDA tensors when torch sees a GPU, else None (numpy path)."""
    if not use_torch("auto"):
        return None
    import torch

    return torch.as_tensor(X, device="cuda"), torch.as_tensor(y, device="cuda")
