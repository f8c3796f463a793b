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
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, GroupKFold, StratifiedGroupKFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR
from threadpoolctl import threadpool_limits

from utr_assets.common import progress
from utr_assets.evaluation.fast_ridge import fold_predictions
from utr_assets.evaluation.fast_svr import param_grid, svr_fold_predictions

# The study's RidgeCV grids (docs/protocol.md): Griesemer 10.**np.arange(1, 5), Siegel 10.**np.arange(0, 5, 0.5)
# (mpra_*/regression/run_regressor.py), half-life 10.**np.arange(-5, 6) (half_life/regression/run_regressor.py).
RIDGE_ALPHAS: dict[str, np.ndarray] = {
    "griesemer": 10.0 ** np.arange(1, 5),
    "siegel": 10.0 ** np.arange(0, 5, 0.5),
    "half_life": 10.0 ** np.arange(-5, 6),
}
SVR_GRID: dict[str, list[Any]] = {"C": [0.1, 1.0, 10.0], "epsilon": [0.1, 0.5], "gamma_factor": [0.1, 1.0]}
MLP_GRID: dict[str, list[Any]] = {"hidden_layer_sizes": [(64,), (128, 32)], "alpha": [1e-4, 1e-2]}


class FoldError(ValueError):
    """A cross-validation split that cannot be used (one class only, a group on both sides, ...)."""


def check_grouping(folds: np.ndarray, groups: np.ndarray) -> None:
    """Raise `FoldError` if any group has samples in more than one outer fold."""
    folds, groups = np.asarray(folds), np.asarray(groups)
    pairs = {(g, f) for g, f in zip(groups.tolist(), folds.tolist(), strict=True)}
    seen: dict[Any, Any] = {}
    for g, f in sorted(pairs, key=repr):
        if g in seen and seen[g] != f:
            raise FoldError(f"group {g!r} is in outer folds {seen[g]!r} and {f!r}: grouped CV would leak")
        seen[g] = f


def group_folds(groups: Sequence[Any], n_splits: int | None = None, seed: int = 0) -> np.ndarray:
    """Fold label per sample: leave-one-group-out (n_splits None) or n_splits shuffled grouped folds."""
    groups = np.asarray(groups)
    uniq, inverse = np.unique(groups, return_inverse=True)
    if n_splits is None or n_splits >= uniq.size:
        return inverse.astype(int)
    if n_splits < 2:
        raise FoldError(f"need >= 2 folds, got {n_splits}")
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = np.empty(groups.size, dtype=int)
    for k, (_, test) in enumerate(splitter.split(np.zeros(groups.size), groups=groups)):
        folds[test] = k
    return folds


def _inner_group_splits(groups: np.ndarray, n_inner: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    n_groups = np.unique(groups).size
    if n_groups < 2:
        raise FoldError(f"inner CV needs >= 2 groups in the training part, got {n_groups}")
    # unshuffled, as the study's GroupKFold(n_splits=5) (`seed` kept for the callers' signature)
    splitter = GroupKFold(n_splits=min(n_inner, n_groups))
    return list(splitter.split(np.zeros(groups.size), groups=groups))


def _best_ridge_alpha(
    X: np.ndarray, y: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]], alphas: np.ndarray
) -> float:
    """The alpha with the highest mean inner-CV R² (ties: the first of the grid), on rows standardised
    once, as the study's RidgeCV after StandardScaler; the test parts of `splits` partition the rows."""
    X, y = X - X.mean(axis=0), y - y.mean()
    return fold_predictions(X, y, splits, np.asarray(alphas, dtype=float), X[:0])[1]


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
            inner = _inner_group_splits(groups[train], n_inner, seed)
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
        inner = _inner_group_splits(groups[train], n_inner, seed)
        pred[test] = svr_fold_predictions(X[train], y[train], inner, X[test], points)[0]
    bar.close()
    return pred


def _check_both_classes(y: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]], where: str) -> None:
    for k, (train, test) in enumerate(splits):
        for part, idx in (("train", train), ("test", test)):
            counts = np.bincount(y[idx], minlength=2)
            if (counts == 0).any():
                raise FoldError(
                    f"{where} fold {k}: {part} part has {counts[1]} positives and {counts[0]} "
                    "negatives; every fold needs both classes (fewer folds or more data)"
                )


def _class_splits(
    y: np.ndarray, groups: np.ndarray | None, n_splits: int, seed: int, where: str
) -> list[tuple[np.ndarray, np.ndarray]]:
    if groups is None:
        splitter: Any = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = list(splitter.split(np.zeros(y.size), y))
    else:
        n_groups = np.unique(groups).size
        if n_groups < n_splits:
            raise FoldError(f"{where}: {n_groups} groups cannot make {n_splits} grouped folds")
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = list(splitter.split(np.zeros(y.size), y, groups))
    _check_both_classes(y, splits, where)
    return splits


def cv_mlp_probabilities(
    X: Any,
    y: Any,
    groups: Any | None = None,
    *,
    n_outer: int = 10,
    n_inner: int = 3,
    param_grid: dict[str, list[Any]] | None = None,
    max_iter: int = 200,
    solver: str = "auto",
    seed: int = 0,
    backend: str = "auto",
) -> np.ndarray:
    """Out-of-fold P(label=1) of a standardised MLP classifier.

    `groups` (gene per sample) given: StratifiedGroupKFold outer and inner CV (no gene on both sides);
    `groups=None`: the ungrouped StratifiedKFold variant. Inner CV picks hyper-parameters by ROC AUC.
    solver "auto": lbfgs below 2,000 training samples, else adam with early stopping. backend "torch":
    the adam folds run as sklearn's MLPClassifier would, replayed on torch with all fits of a stage
    batched (`torch_mlp`, same probabilities); "sklearn": GridSearchCV of MLPClassifier itself; "auto":
    torch when CUDA is available, else sklearn (on CPU the replay is not faster: evaluation_throughput).
    Raises `FoldError` when any outer or inner fold lacks a class.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int)
    g = None if groups is None else np.asarray(groups)
    if X.ndim != 2 or X.shape[0] != y.size or (g is not None and g.size != y.size):
        raise ValueError(f"X {X.shape}, y {y.shape} and groups disagree")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite")
    if set(np.unique(y).tolist()) != {0, 1}:
        raise FoldError(f"MLP probe needs labels 0 and 1, got {sorted(set(np.unique(y).tolist()))}")
    grid = {f"mlpclassifier__{k}": list(v) for k, v in (param_grid or MLP_GRID).items()}
    prob = np.full(y.size, np.nan)
    outer = _class_splits(y, g, n_outer, seed, "outer")
    batched: list[tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]] = []
    bar = progress.task("MLP probe, outer folds", len(outer), "fold")
    for k, (train, test) in enumerate(outer):
        bar.update(1)
        inner = _class_splits(
            y[train], None if g is None else g[train], n_inner, seed + 1 + k, f"inner (outer {k})"
        )
        # lbfgs suits small training sets (the sample); adam with early stopping the paper-scale ones
        small = train.size < 2000
        chosen = solver if solver != "auto" else ("lbfgs" if small else "adam")
        if chosen == "adam" and _use_torch(backend):  # run together after the loop
            batched.append((train, test, inner))
            continue
        est = make_pipeline(
            StandardScaler(),
            MLPClassifier(
                max_iter=max_iter, solver=chosen, early_stopping=chosen == "adam", random_state=seed
            ),
        )
        search = GridSearchCV(est, grid, cv=inner, scoring="roc_auc", n_jobs=1)
        # BLAS threads only slow small matrices down (and oversubscribe a busy machine)
        with warnings.catch_warnings(), threadpool_limits(limits=1 if small else None, user_api="blas"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(X[train], y[train])
        prob[test] = search.predict_proba(X[test])[:, 1]
    if batched:
        from utr_assets.evaluation.torch_mlp import grid_search_probabilities

        for (_, test, _), p in zip(
            batched,
            grid_search_probabilities(X, y, batched, param_grid or MLP_GRID, seed=seed, max_iter=max_iter),
            strict=True,
        ):
            prob[test] = p
    bar.close()
    return prob


def _ridge_device(X: np.ndarray, y: np.ndarray) -> tuple[Any, Any] | None:
    """(X, y) as float64 CUDA tensors when torch sees a GPU, else None (numpy path)."""
    if not _use_torch("auto"):
        return None
    import torch

    return torch.as_tensor(X, device="cuda"), torch.as_tensor(y, device="cuda")


def _use_torch(backend: str) -> bool:
    if backend not in ("auto", "torch", "sklearn"):
        raise ValueError(f"unknown MLP backend {backend!r}; use 'auto', 'torch' or 'sklearn'")
    if backend == "auto":
        import torch

        return bool(torch.cuda.is_available())
    return backend == "torch"


def mlp_features(emb_ref: Any, emb_alt: Any) -> np.ndarray:
    """[embedding_ref || embedding_alt], one row per variant."""
    a, b = np.asarray(emb_ref, dtype=float), np.asarray(emb_alt, dtype=float)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"ref {a.shape} and alt {b.shape} embeddings must be 2-D and the same shape")
    return np.hstack([a, b])
