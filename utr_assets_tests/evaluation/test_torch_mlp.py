"""The batched torch MLP replays sklearn's MLPClassifier(adam, early stopping): same probabilities as
sklearn for every stacked fit (float64), same GridSearchCV choice, and the probe path uses it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from utr_assets.evaluation.probes import cv_mlp_probabilities
from utr_assets.evaluation.torch_mlp import Fit, fit_predict, grid_search_probabilities


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads only add overhead on a shared machine
    yield
    torch.set_num_threads(before)


def _data(n: int = 420, d: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 4, d) + 2
    y = (X[:, 0] / 2 + np.sin(X[:, 1]) + rng.normal(0, 1, n) > 1.2).astype(int)
    return X, y


def _sklearn(X, y, train, predict, hidden, alpha, seed=0):
    est = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=hidden, alpha=alpha, solver="adam", early_stopping=True, random_state=seed
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X[train], y[train])
    return est.predict_proba(X[predict])[:, 1], est[-1].n_iter_


def test_stacked_fits_equal_sklearn_mlpclassifier():
    X, y = _data()
    fits = [
        Fit(np.arange(300), np.arange(300, 420), (8,), 1e-4),
        Fit(np.arange(60, 420), np.arange(60), (8,), 1.0),  # other rows, stronger L2
        Fit(np.arange(0, 420, 2), np.arange(1, 420, 2), (6, 3), 1e-2),
    ]  # two hidden layers
    ours = fit_predict(X, y, fits, seed=3, device="cpu", dtype=torch.float64)
    epochs = []
    for f, p in zip(fits, ours, strict=True):
        ref, n_iter = _sklearn(X, y, f.train, f.predict, f.hidden, f.alpha, seed=3)
        epochs.append(n_iter)
        np.testing.assert_allclose(p, ref, rtol=1e-9, atol=1e-9)
    assert len(set(epochs)) > 1  # fits stopped early at different epochs: the stopping rule is per fit


def test_max_iter_caps_epochs_like_sklearn():
    X, y = _data(n=300, seed=1)
    fit = Fit(np.arange(240), np.arange(240, 300), (5,), 1e-4)
    ours = fit_predict(X, y, [fit], seed=0, max_iter=3, device="cpu", dtype=torch.float64)[0]
    est = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=(5,), solver="adam", early_stopping=True, random_state=0, max_iter=3
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = est.fit(X[fit.train], y[fit.train]).predict_proba(X[fit.predict])[:, 1]
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-9)


def test_grid_search_equals_gridsearchcv():
    X, y = _data(n=360, seed=2)
    grid = {"hidden_layer_sizes": [(4,), (8,)], "alpha": [1e-4, 3.0]}
    train, test = np.arange(270), np.arange(270, 360)
    inner = list(StratifiedKFold(3, shuffle=True, random_state=1).split(np.zeros(train.size), y[train]))
    est = make_pipeline(StandardScaler(), MLPClassifier(solver="adam", early_stopping=True, random_state=0))
    search = GridSearchCV(
        est, {f"mlpclassifier__{k}": v for k, v in grid.items()}, cv=inner, scoring="roc_auc"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = search.fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    ours = grid_search_probabilities(
        X, y, [(train, test, inner)], grid, seed=0, device="cpu", dtype=torch.float64
    )
    np.testing.assert_allclose(ours[0], ref, rtol=1e-8, atol=1e-8)


def test_probe_adam_path_torch_equals_sklearn_backend():
    X, y = _data(n=300, seed=4)
    genes = np.repeat(np.arange(60), 5)
    kw = {
        "n_outer": 3,
        "n_inner": 2,
        "param_grid": {"hidden_layer_sizes": [(4,)], "alpha": [1e-4, 1.0]},
        "solver": "adam",
        "seed": 0,
    }
    torch_p = cv_mlp_probabilities(X, y, genes, backend="torch", **kw)
    sk_p = cv_mlp_probabilities(X, y, genes, backend="sklearn", **kw)
    np.testing.assert_allclose(torch_p, sk_p, rtol=1e-8, atol=1e-8)


def test_unknown_backend_is_refused():
    X, y = _data(n=300, seed=4)
    with pytest.raises(ValueError, match="unknown MLP backend"):
        cv_mlp_probabilities(
            X, y, np.repeat(np.arange(60), 5), n_outer=3, n_inner=2, solver="adam", backend="jax"
        )
