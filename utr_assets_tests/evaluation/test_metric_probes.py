"""Cross-validated probes: grouped folds never split a group, empty-class folds raise, predictions
carry signal, everything is seeded."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from utr_assets.evaluation.fast_ridge import fold_predictions
from utr_assets.evaluation.folds import class_splits
from utr_assets.evaluation.probes import (
    FoldError,
    check_grouping,
    cv_mlp_probabilities,
    cv_regression_predictions,
    group_folds,
    mlp_features,
)


def _best_ridge_alpha(
    X: np.ndarray, y: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]], alphas: np.ndarray
) -> float:
    """The alpha with the highest mean inner-CV R² (ties: the first of the grid), on rows standardised
    once, as the study's RidgeCV after StandardScaler; the test parts of `splits` partition the rows."""
    X, y = X - X.mean(axis=0), y - y.mean()
    return fold_predictions(X, y, splits, np.asarray(alphas, dtype=float), X[:0])[1]


SMALL_MLP = {"hidden_layer_sizes": [(8,)], "alpha": [1e-2, 1.0]}
SMALL_SVR = {"C": [1.0, 10.0], "epsilon": [0.1], "gamma_factor": [1.0]}


def _regression_data(n_groups: int = 24, per_group: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_groups * per_group, 6))
    group_effect = np.repeat(rng.normal(0, 0.3, n_groups), per_group)
    y = X[:, 0] - 0.5 * X[:, 1] + group_effect + rng.normal(0, 0.5, X.shape[0])
    return X, y, np.repeat([f"g{i}" for i in range(n_groups)], per_group)


def test_group_folds_never_put_a_group_on_both_sides():
    _, _, groups = _regression_data()
    for n_splits in (None, 5):
        folds = group_folds(groups, n_splits, seed=3)
        check_grouping(folds, groups)
        for g in np.unique(groups):
            assert np.unique(folds[groups == g]).size == 1
    assert np.unique(group_folds(groups, None)).size == np.unique(groups).size  # leave-one-group-out
    assert np.unique(group_folds(groups, 5)).size == 5


def test_check_grouping_rejects_a_split_group():
    with pytest.raises(FoldError, match="group 'a'"):
        check_grouping(np.array([0, 1, 1]), np.array(["a", "a", "b"]))


@pytest.mark.parametrize("model", ["ridge", "svr"])
def test_regression_out_of_fold_predictions_have_signal_and_are_seeded(model):
    X, y, groups = _regression_data()
    folds = group_folds(groups, 6, seed=0)
    kw = {"svr_grid": SMALL_SVR} if model == "svr" else {"alphas": np.logspace(0, 3, 7)}
    a = cv_regression_predictions(X, y, folds=folds, groups=groups, model=model, seed=0, **kw)
    b = cv_regression_predictions(X, y, folds=folds, groups=groups, model=model, seed=0, **kw)
    assert np.isfinite(a).all() and np.array_equal(a, b)
    assert np.corrcoef(a, y)[0, 1] > 0.6


def test_regression_refuses_leaky_folds_and_bad_input():
    X, y, groups = _regression_data()
    leaky = np.arange(y.size) % 5  # folds that cut through groups
    with pytest.raises(FoldError, match="leak"):
        cv_regression_predictions(X, y, folds=leaky, groups=groups)
    with pytest.raises(ValueError, match="finite"):
        cv_regression_predictions(np.where(X > 2, np.nan, X), y, folds=group_folds(groups, 4))
    with pytest.raises(ValueError, match="unknown regressor"):
        cv_regression_predictions(X, y, folds=group_folds(groups, 4), model="lasso")


def test_given_folds_are_the_groups_by_default():
    """Half-life: the 10 provided gene folds are both outer folds and inner-CV groups."""
    X, y, _ = _regression_data(n_groups=40, per_group=5, seed=2)
    folds = np.arange(y.size) % 10
    pred = cv_regression_predictions(X, y, folds=folds, model="ridge")
    assert np.corrcoef(pred, y)[0, 1] > 0.6


def test_ridge_inner_search_matches_the_studys_ridgecv():
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, groups = _regression_data(seed=4)
    splits = [
        (np.flatnonzero(group_folds(groups, 4) != k), np.flatnonzero(group_folds(groups, 4) == k))
        for k in range(4)
    ]
    alphas = np.logspace(-1, 4, 11)
    # the study: make_pipeline(StandardScaler(), RidgeCV(alphas, cv=GroupKFold(5)))
    study = make_pipeline(StandardScaler(), RidgeCV(alphas=alphas, cv=splits)).fit(X, y)
    assert _best_ridge_alpha(X, y, splits, alphas) == pytest.approx(study[-1].alpha_)


def _variant_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    n = 240
    genes = np.repeat([f"G{i}" for i in range(40)], 6)
    y = rng.permutation(np.r_[np.ones(n // 2), np.zeros(n // 2)]).astype(int)
    ref = rng.normal(size=(n, 8))
    alt = ref.copy()
    alt[:, 0] += np.where(y == 1, 1.5, 0.0) + rng.normal(0, 0.3, n)
    return mlp_features(ref, alt), y, genes


def test_mlp_grouped_and_ungrouped_predict_and_are_seeded():
    X, y, genes = _variant_data()
    kw = {"n_outer": 3, "n_inner": 2, "param_grid": SMALL_MLP, "max_iter": 100, "seed": 1}
    p_grouped = cv_mlp_probabilities(X, y, genes, **kw)
    p_again = cv_mlp_probabilities(X, y, genes, **kw)
    p_plain = cv_mlp_probabilities(X, y, None, **kw)
    assert np.array_equal(p_grouped, p_again)
    assert roc_auc_score(y, p_grouped) > 0.8 and roc_auc_score(y, p_plain) > 0.8


def test_grouped_class_splits_keep_genes_on_one_side():
    _, y, genes = _variant_data()
    for train, test in class_splits(y, genes, 5, 0, "outer"):
        assert not set(genes[train]) & set(genes[test])


def test_fold_without_a_class_raises_clearly():
    X, _, _ = _variant_data()
    # all positives in one gene: every grouped fold without that gene has no positive in its test part
    y = np.zeros(X.shape[0], dtype=int)
    y[:6] = 1
    genes = np.repeat([f"G{i}" for i in range(40)], 6)
    with pytest.raises(FoldError, match="both classes"):
        cv_mlp_probabilities(X, y, genes, n_outer=4, n_inner=2, param_grid=SMALL_MLP)
    with pytest.raises(FoldError, match="labels 0 and 1"):
        cv_mlp_probabilities(X, np.ones(X.shape[0], dtype=int), None, n_outer=4)
