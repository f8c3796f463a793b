"""The MLP classifier probe of task 2 (docs/protocol.md §5): out-of-fold P(label=1) on [ref || alt]
variant embeddings, with gene-grouped (or ungrouped) outer CV and inner CV for the hyper-parameters.

What belongs here: `cv_mlp_probabilities` (sklearn's MLPClassifier, or its batched torch replay in
`torch_mlp` when CUDA is there), its default grid and the feature layout (`mlp_features`). Not here: the
folds (`folds`), the AUCs (`metrics`), the regression probes (`probes`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from utr_assets.common import progress
from utr_assets.evaluation.folds import FoldError, class_splits

MLP_GRID: dict[str, list[Any]] = {"hidden_layer_sizes": [(64,), (128, 32)], "alpha": [1e-4, 1e-2]}


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
    outer = class_splits(y, g, n_outer, seed, "outer")
    batched: list[tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]] = []
    bar = progress.task("MLP probe, outer folds", len(outer), "fold")
    for k, (train, test) in enumerate(outer):
        bar.update(1)
        inner = class_splits(
            y[train], None if g is None else g[train], n_inner, seed + 1 + k, f"inner (outer {k})"
        )
        # lbfgs suits small training sets (the sample); adam with early stopping the paper-scale ones
        small = train.size < 2000
        chosen = solver if solver != "auto" else ("lbfgs" if small else "adam")
        if chosen == "adam" and use_torch(backend):  # run together after the loop
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


def use_torch(backend: str) -> bool:
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
