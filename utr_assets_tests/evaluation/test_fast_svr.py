"""Shared-kernel SVR grid search against sklearn's GridSearchCV of the same pipeline: same inner
scores, same chosen (C, epsilon, gamma), same out-of-fold predictions (to solver rounding)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, GroupKFold

from utr_assets.evaluation.fast_svr import param_grid, svr_fold_predictions
from utr_assets.evaluation.probes import _svr, cv_regression_predictions, group_folds

GRID = {"C": [0.1, 1.0, 10.0], "epsilon": [0.1, 0.5], "gamma_factor": [0.1, 1.0]}


def _data(n: int = 240, p: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 5, p) + 3
    y = np.sin(X[:, 0]) + 0.3 * (X[:, 1] - 3) ** 2 + rng.normal(0, 0.4, n) + 10
    return X, y, rng.integers(0, 24, n)


def _inner(groups: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(
        GroupKFold(n_splits=5).split(np.zeros(groups.size), groups=groups)
    )  # unshuffled, as the study


def _points(p: int) -> list[tuple[float, float, float]]:
    _, grid = _svr(p, GRID)
    return param_grid(
        grid["regressor__svr__C"], grid["regressor__svr__epsilon"], grid["regressor__svr__gamma"]
    )


@pytest.mark.parametrize("memory_bytes", [None, 0])  # 0: no room for kernels, libsvm's own RBF path
def test_inner_scores_choice_and_predictions_match_gridsearchcv(memory_bytes):
    X, y, groups = _data()
    train, test = np.flatnonzero(groups >= 4), np.flatnonzero(groups < 4)
    inner = _inner(groups[train])
    est, grid = _svr(X.shape[1], GRID)
    search = GridSearchCV(est, grid, cv=inner, scoring="neg_mean_squared_error").fit(X[train], y[train])
    pred, best, mean = svr_fold_predictions(
        X[train], y[train], inner, X[test], _points(X.shape[1]), memory_bytes=memory_bytes
    )
    np.testing.assert_allclose(mean, search.cv_results_["mean_test_score"], rtol=1e-7, atol=1e-9)
    chosen = search.best_params_
    assert best == (
        chosen["regressor__svr__C"],
        chosen["regressor__svr__epsilon"],
        chosen["regressor__svr__gamma"],
    )
    np.testing.assert_allclose(pred, search.predict(X[test]), rtol=1e-6, atol=1e-6)


def test_probe_path_equals_gridsearchcv_per_outer_fold():
    X, y, groups = _data(n=180, seed=2)
    folds = group_folds(groups, 3, seed=0)
    small = {"C": [1.0, 10.0], "epsilon": [0.1], "gamma_factor": [0.1, 1.0]}
    ref = np.full(y.size, np.nan)
    for f in np.unique(folds):
        train, test = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        est, grid = _svr(X.shape[1], small)
        search = GridSearchCV(est, grid, cv=_inner(groups[train]), scoring="neg_mean_squared_error")
        ref[test] = search.fit(X[train], y[train]).predict(X[test])
    pred = cv_regression_predictions(X, y, folds=folds, groups=groups, model="svr", svr_grid=small)
    np.testing.assert_allclose(pred, ref, rtol=1e-6, atol=1e-6)
