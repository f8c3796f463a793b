"""Inner-CV grid search of the RBF SVR with each kernel matrix computed once and shared.

Same protocol, choice rule and refit as `probes`' GridSearchCV over
``TransformedTargetRegressor(make_pipeline(StandardScaler(), SVR(kernel="rbf")), StandardScaler())``
scored by negative MSE: X and y standardised on each training part, mean inner-fold score per
(C, epsilon, gamma), the first best in sklearn's ParameterGrid order (C, then epsilon, then gamma),
then a refit on the whole outer training part. The difference is where the kernel is evaluated:
libsvm's RBF path recomputes kernel rows for each of the C x epsilon x gamma fits; here the squared
distances of a split are one GEMM, each gamma's kernel matrix one exponential of it, and every
(C, epsilon) fit on that split reads the same precomputed matrix (libsvm ``kernel="precomputed"``,
the same solver and stopping rule). The kernels differ from libsvm's own only by floating-point
rounding, so predictions agree to the solver's tolerance, not bit for bit (the tests and
speed_benchmarks/evaluation_throughput.py report the difference).

Parallel: the libsvm fits of a split run in threads (libsvm releases the GIL), at most the CPU count;
splits are held in memory together only as far as `memory_bytes` allows (default: half of the
available memory). A split whose kernels do not fit at all falls back to libsvm's own RBF kernel.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

Split = tuple[np.ndarray, np.ndarray]


def available_memory() -> int:
    """MemAvailable from /proc/meminfo in bytes (4 GiB when unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 << 30


def param_grid(
    C: Sequence[float], epsilon: Sequence[float], gamma: Sequence[float]
) -> list[tuple[float, float, float]]:
    """(C, epsilon, gamma) in sklearn ParameterGrid order (sorted keys: C slowest, gamma fastest)."""
    return [(float(c), float(e), float(g)) for c, e, g in itertools.product(C, epsilon, gamma)]


def _sq_distances(A: np.ndarray, B: np.ndarray, same: bool) -> np.ndarray:
    d = A @ B.T  # in place from here: one n x m array
    d *= -2.0
    d += (A * A).sum(axis=1)[:, None]
    d += (B * B).sum(axis=1)[None, :]
    np.maximum(d, 0.0, out=d)
    if same:
        np.fill_diagonal(d, 0.0)
    return d


def _rbf(d: np.ndarray, gamma: float) -> np.ndarray:
    """exp(-gamma d) in one new array (no temporary of the same size)."""
    k = np.multiply(d, -gamma)
    return np.exp(k, out=k)


class _Part:
    """One training/test pair, standardised like the sklearn pipeline, with its squared distances."""

    def __init__(self, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray):
        sx = StandardScaler().fit(X_train)
        self.y_scaler = StandardScaler().fit(y_train.reshape(-1, 1))
        self.y = self.y_scaler.transform(y_train.reshape(-1, 1))[:, 0]
        z_train, z_test = sx.transform(X_train), sx.transform(X_test)
        self.d_train = _sq_distances(z_train, z_train, same=True)
        self.d_test = _sq_distances(z_test, z_train, same=False)

    def predict(self, k_train: np.ndarray, k_test: np.ndarray, C: float, epsilon: float) -> np.ndarray:
        svr = SVR(kernel="precomputed", C=C, epsilon=epsilon).fit(k_train, self.y)
        return self.y_scaler.inverse_transform(svr.predict(k_test).reshape(-1, 1))[:, 0]


def _part_bytes(n_train: int, n_test: int) -> int:
    return 2 * 8 * n_train * (n_train + n_test) + 8 * n_train * n_train // 2  # D and K, plus slack


def _predict_all(
    parts: list[_Part], grid: list[tuple[float, float, float]], workers: int
) -> list[list[np.ndarray]]:
    """Predictions [part][grid index], one kernel per (part, gamma) shared by its C/epsilon fits."""
    out: list[list[Any]] = [[None] * len(grid) for _ in parts]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for gamma in sorted({g for _, _, g in grid}):
            kernels = [(_rbf(p.d_train, gamma), _rbf(p.d_test, gamma)) for p in parts]
            jobs = {
                (i, j): pool.submit(p.predict, *kernels[i], c, e)
                for i, p in enumerate(parts)
                for j, (c, e, g) in enumerate(grid)
                if g == gamma
            }
            for (i, j), job in jobs.items():
                out[i][j] = job.result()
            del kernels
    return out


def _sklearn_fit_predict(
    X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, params: tuple[float, float, float]
) -> np.ndarray:
    c, e, g = params
    est = TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), SVR(kernel="rbf", C=c, epsilon=e, gamma=g)),
        transformer=StandardScaler(),
    )
    return est.fit(X_train, y_train).predict(X_test)


def svr_fold_predictions(
    X: np.ndarray,
    y: np.ndarray,
    inner: Sequence[Split],
    X_test: np.ndarray,
    grid: list[tuple[float, float, float]],
    *,
    workers: int | None = None,
    memory_bytes: int | None = None,
) -> tuple[np.ndarray, tuple[float, float, float], np.ndarray]:
    """(predictions on X_test, chosen (C, epsilon, gamma), mean inner neg-MSE per grid point)."""
    workers = workers or os.cpu_count() or 1
    budget = memory_bytes if memory_bytes is not None else available_memory() // 2
    scores = np.zeros((len(inner), len(grid)))
    pending = list(enumerate(inner))
    while pending:
        batch: list[tuple[int, np.ndarray, np.ndarray]] = []
        used = 0
        while pending and (
            not batch or used + _part_bytes(len(pending[0][1][0]), len(pending[0][1][1])) <= budget
        ):
            k, (tr, te) = pending.pop(0)
            used += _part_bytes(tr.size, te.size)
            batch.append((k, tr, te))
        if len(batch) == 1 and used > budget:  # too large to precompute: libsvm computes the kernel itself
            k, tr, te = batch[0]
            for j, params in enumerate(grid):
                scores[k, j] = -np.mean((_sklearn_fit_predict(X[tr], y[tr], X[te], params) - y[te]) ** 2)
            continue
        parts = [_Part(X[tr], y[tr], X[te]) for _, tr, te in batch]
        for (k, _, te), preds in zip(batch, _predict_all(parts, grid, workers), strict=True):
            scores[k] = [-np.mean((p - y[te]) ** 2) for p in preds]
        del parts
    mean = scores.mean(axis=0)
    best = grid[int(np.flatnonzero(mean == mean.max())[0])]
    if _part_bytes(X.shape[0], X_test.shape[0]) <= budget:
        part = _Part(X, y, X_test)
        c, e, g = best
        pred = part.predict(_rbf(part.d_train, g), _rbf(part.d_test, g), c, e)
    else:
        pred = _sklearn_fit_predict(X, y, X_test, best)
    return pred, best, mean
