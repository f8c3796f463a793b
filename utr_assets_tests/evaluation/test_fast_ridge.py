"""Fast grouped-CV Ridge (one eigendecomposition per fold) against the study's own sklearn path,
`make_pipeline(StandardScaler(), RidgeCV(alphas, cv=GroupKFold(5)))` per outer fold
(mpra_*/regression/run_regressor.py): the same alpha chosen, the same out-of-fold predictions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from utr_assets.evaluation.fast_ridge import Split, fold_predictions, select_alpha
from utr_assets.evaluation.probes import cv_regression_predictions, group_folds

ALPHAS = np.logspace(0, 4.5, 10)


def ridge_cv_predictions(
    X: Any, y: Any, outer: Sequence[Split], inner: Sequence[Sequence[Split]], alphas: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold predictions and the alpha chosen per outer fold: the ridge path of
    probes.cv_regression_predictions over given folds (a test helper).

    `outer`: (train, test) index pairs over all rows; `inner[k]`: (train, test) pairs indexing the
    rows of ``outer[k][0]`` (the inner grouped split of that training part).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    shift_x, shift_y = X.mean(axis=0), float(y.mean())
    Xs, ys = X - shift_x, y - shift_y
    pred = np.full(y.size, np.nan)
    chosen = np.empty(len(outer))
    for k, (train, test) in enumerate(outer):
        p, chosen[k], _ = fold_predictions(Xs[train], ys[train], inner[k], alphas, Xs[test])
        pred[test] = p + shift_y
    return pred, chosen


def _kmer_like(n: int = 360, p: int = 24, n_groups: int = 30, seed: int = 0):
    """Count features with a large mean (precision trap for X^T X minus the mean), one constant column,
    one column constant except in one group, and a target with group effects."""
    rng = np.random.default_rng(seed)
    X = rng.poisson(40, size=(n, p)).astype(float)
    X[:, 2] = 7.0
    groups = rng.integers(0, n_groups, n)
    X[:, 5] = np.where(groups == 0, 3.0, 1.0)
    y = (
        0.3 * X[:, 0]
        - 0.2 * X[:, 1]
        + rng.normal(0, 3, n)
        + np.repeat(rng.normal(0, 1, n_groups), 1)[groups]
        + 50
    )
    return X, y, groups


def _sklearn_reference(X, y, folds, groups, alphas, n_inner=5):
    """The study's path: per outer fold, StandardScaler then RidgeCV over unshuffled GroupKFold(5) splits
    (mean R² per alpha, ties to the first), refitted on the outer training part."""
    pred, chosen = np.full(y.size, np.nan), []
    for f in np.unique(folds):
        train, test = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        g = groups[train]
        inner = list(
            GroupKFold(n_splits=min(n_inner, np.unique(g).size)).split(np.zeros(train.size), groups=g)
        )
        pipe = make_pipeline(StandardScaler(), RidgeCV(alphas=alphas, cv=inner)).fit(X[train], y[train])
        chosen.append(pipe[-1].alpha_)
        pred[test] = pipe.predict(X[test])
    return pred, np.array(chosen)


def _old_rule_alphas(X, y, folds, groups, alphas, n_inner=5):
    """Our rule before the study's: per-inner-fold scaling and the summed squared error."""
    chosen = []
    for f in np.unique(folds):
        train = np.flatnonzero(folds != f)
        g = groups[train]
        inner = list(
            GroupKFold(n_splits=min(n_inner, np.unique(g).size)).split(np.zeros(train.size), groups=g)
        )
        sse = np.array(
            [
                sum(
                    (
                        (
                            make_pipeline(StandardScaler(), Ridge(alpha=a))
                            .fit(X[train][tr], y[train][tr])
                            .predict(X[train][te])
                            - y[train][te]
                        )
                        ** 2
                    ).sum()
                    for tr, te in inner
                )
                for a in alphas
            ]
        )
        chosen.append(alphas[::-1][np.argmin(sse[::-1])])
    return np.array(chosen)


def _splits(folds, groups, n_inner=5):
    outer = [(np.flatnonzero(folds != f), np.flatnonzero(folds == f)) for f in np.unique(folds)]
    inner = []
    for train, _ in outer:
        g = groups[train]
        inner.append(
            list(GroupKFold(n_splits=min(n_inner, np.unique(g).size)).split(np.zeros(train.size), groups=g))
        )
    return outer, inner


@pytest.mark.parametrize("seed", [0, 1])
def test_same_alphas_and_predictions_as_sklearn_refits(seed):
    X, y, groups = _kmer_like(seed=seed)
    folds = group_folds(groups, 6, seed=seed)
    ref_pred, ref_alpha = _sklearn_reference(X, y, folds, groups, ALPHAS)
    outer, inner = _splits(folds, groups)
    pred, chosen = ridge_cv_predictions(X, y, outer, inner, ALPHAS)
    np.testing.assert_array_equal(chosen, ref_alpha)
    assert ((chosen > ALPHAS[0]) & (chosen < ALPHAS[-1])).any()  # the inner CV chose, not a grid edge
    np.testing.assert_allclose(pred, ref_pred, rtol=1e-9, atol=1e-9)


def test_probe_path_matches_sklearn_with_leave_one_group_out_and_small_alpha_grid():
    X, y, groups = _kmer_like(n=240, p=12, n_groups=8, seed=3)
    folds = group_folds(groups, None)  # leave-one-group-out, as the study
    alphas = np.logspace(-2, 3, 6)  # includes alphas small enough to matter
    ref_pred, _ = _sklearn_reference(X, y, folds, groups, alphas)
    pred = cv_regression_predictions(X, y, folds=folds, groups=groups, model="ridge", alphas=alphas)
    np.testing.assert_allclose(pred, ref_pred, rtol=1e-8, atol=1e-8)


def test_more_features_than_rows_still_matches():
    """Inner training parts narrower than p take the SVD of the rows instead of the p x p Gram."""
    rng = np.random.default_rng(5)
    X, groups = rng.normal(size=(60, 80)) + 5, np.repeat(np.arange(12), 5)
    X[:, 3] = 2.0  # constant: scale 1, no weight (SVD side too)
    y = X[:, 0] + rng.normal(0, 0.5, 60)
    folds = group_folds(groups, 3, seed=1)
    ref_pred, ref_alpha = _sklearn_reference(X, y, folds, groups, ALPHAS)
    pred, chosen = ridge_cv_predictions(X, y, *_splits(folds, groups), ALPHAS)
    np.testing.assert_array_equal(chosen, ref_alpha)
    np.testing.assert_allclose(pred, ref_pred, rtol=1e-8, atol=1e-8)


def test_inner_parts_must_partition_the_training_rows():
    X, y, _ = _kmer_like(n=40, p=8)
    overlapping = [(np.arange(20, 40), np.arange(0, 25)), (np.arange(0, 20), np.arange(20, 40))]
    with pytest.raises(ValueError, match="partition"):
        fold_predictions(X, y, overlapping, ALPHAS, X[:2])


def test_ties_go_to_the_first_alpha_of_the_grid():
    assert select_alpha(np.array([0.2, 0.5, 0.5, 0.1]), np.array([1.0, 10.0, 100.0, 1000.0])) == 10.0


@pytest.mark.slow
def test_the_studys_selection_differs_from_the_old_rule_somewhere():
    """Mean R² on once-standardised rows (the study's RidgeCV) and summed squared error on per-inner-fold
    scaling (our old rule) can pick different alphas: the fast path follows the study where they differ."""
    found = False
    for seed in range(12):
        X, y, groups = _kmer_like(n=150, p=30, n_groups=12, seed=seed)
        folds = group_folds(groups, 3, seed=seed)
        ref_pred, ref_alpha = _sklearn_reference(X, y, folds, groups, ALPHAS)
        old = _old_rule_alphas(X, y, folds, groups, ALPHAS)
        pred, chosen = ridge_cv_predictions(X, y, *_splits(folds, groups), ALPHAS)
        np.testing.assert_array_equal(chosen, ref_alpha)
        np.testing.assert_allclose(pred, ref_pred, rtol=1e-8, atol=1e-8)
        found |= bool((old != ref_alpha).any())
    assert found


def test_torch_version_matches_sklearn_on_the_cpu():
    """The CUDA path's code (fast_ridge_torch), run on the CPU in float64: same alphas and predictions."""
    torch = pytest.importorskip("torch")
    from utr_assets.evaluation.fast_ridge_torch import fold_predictions as on_device

    X, y, groups = _kmer_like(seed=1)
    folds = group_folds(groups, 4, seed=1)
    ref_pred, ref_alpha = _sklearn_reference(X, y, folds, groups, ALPHAS)
    Xs, ys = X - X.mean(0), y - y.mean()
    Xt, yt = torch.as_tensor(Xs), torch.as_tensor(ys)
    pred = np.full(y.size, np.nan)
    for k, (train, test) in enumerate(_splits(folds, groups)[0]):
        inner = _splits(folds, groups)[1][k]
        p, alpha, _ = on_device(Xt, yt, train, inner, ALPHAS, test)
        assert alpha == ref_alpha[k]
        pred[test] = p + y.mean()
    np.testing.assert_allclose(pred, ref_pred, rtol=1e-9, atol=1e-9)
