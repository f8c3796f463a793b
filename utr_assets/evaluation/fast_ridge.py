"""Grouped-CV Ridge for every alpha from one eigendecomposition per (outer, inner) fold.

The protocol is the study's `make_pipeline(StandardScaler(), RidgeCV(alphas, cv=GroupKFold(5)))`
(mpra_*/regression/run_regressor.py; docs/protocol.md §5.3), computed without refitting per alpha:
per outer fold, StandardScaler is fitted once on the training rows; on those standardised rows an
inner k-fold (RidgeCV's GridSearchCV over Ridge(alpha)) scores every alpha by R² per inner test part
and picks the highest mean R² (ties: the first alpha of the grid, as GridSearchCV); Ridge at that
alpha is refitted on the whole outer training part. The results equal sklearn's pipeline to rounding
(tests compare them).

How: the inner test blocks partition the outer training rows, so per outer fold the sufficient
statistics of each block (row count, column sums, X^T X, X^T y, column min/max) are computed once
(one pass over the training rows, one GEMM). Any inner training part is "outer minus one block":
its centred Gram matrix Z^T Z (Z scaled by the outer scaler) follows by subtraction, one symmetric
eigendecomposition gives the Ridge coefficients for every alpha, and the block's predictions for all
alphas are one matrix product. The outer refit at the chosen alpha is one Cholesky solve. Before
anything, X and y are shifted by their overall means (Ridge with an intercept is invariant to that),
which keeps the subtraction of means from the Gram matrix accurate. Constant columns get scale 1 and
no weight, as StandardScaler + Ridge give them.

numpy float64 on BLAS threads: per outer fold the cost is one X^T X of the training rows plus
(k + 1) p x p eigendecompositions/solves, against k x n_alphas + 1 sklearn fits (speed_benchmarks/
evaluation_throughput.py measures both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg

Split = tuple[np.ndarray, np.ndarray]


@dataclass
class _Stats:
    """Sufficient statistics of a set of rows (X, y already shifted by the global means)."""

    n: int
    sx: np.ndarray  # (p,) column sums
    gram: np.ndarray  # (p, p) X^T X
    xy: np.ndarray  # (p,) X^T y
    sy: float
    lo: np.ndarray  # (p,) column minima
    hi: np.ndarray  # (p,) column maxima

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray) -> _Stats:
        return cls(X.shape[0], X.sum(axis=0), X.T @ X, X.T @ y, float(y.sum()), X.min(axis=0), X.max(axis=0))

    def minus(self, other: _Stats, lo: np.ndarray, hi: np.ndarray) -> _Stats:
        return _Stats(
            self.n - other.n,
            self.sx - other.sx,
            self.gram - other.gram,
            self.xy - other.xy,
            self.sy - other.sy,
            lo,
            hi,
        )


@dataclass
class _Standardised:
    """Z^T Z and Z^T (y - y_mean) of the standardised rows, with the scaler's mean and scale."""

    zz: np.ndarray
    zy: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    y_mean: float


def _outer_scale(s: _Stats) -> tuple[np.ndarray, np.ndarray]:
    """StandardScaler's scale of the rows (constant columns: 1) and the constant-column mask."""
    mean = s.sx / s.n
    var = np.clip(np.diag(s.gram - s.n * np.outer(mean, mean)) / s.n, 0.0, None)
    constant = s.lo == s.hi
    scale = np.where(constant, 1.0, np.sqrt(var))
    scale[scale == 0] = 1.0
    return scale, constant


def _standardise(s: _Stats, scaler: tuple[np.ndarray, np.ndarray] | None = None) -> _Standardised:
    """Centred normal equations of the rows `s`, columns divided by `scaler`'s scale (default: their own)."""
    mean = s.sx / s.n
    y_mean = s.sy / s.n
    centred = s.gram - s.n * np.outer(mean, mean)
    scale, constant = scaler if scaler is not None else _outer_scale(s)
    zz = centred / np.outer(scale, scale)
    zz[constant, :] = 0.0
    zz[:, constant] = 0.0
    zz = (zz + zz.T) / 2
    zy = (s.xy - s.n * mean * y_mean) / scale
    zy[constant] = 0.0
    return _Standardised(zz, zy, mean, scale, y_mean)


def _all_alpha_predictions(st: _Standardised, X_test: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """(n_test, n_alphas) predictions of Ridge at every alpha, from one eigendecomposition."""
    lam, V = scipy.linalg.eigh(st.zz, overwrite_a=False, check_finite=False)
    lam = np.clip(lam, 0.0, None)
    coefs = V @ ((V.T @ st.zy)[:, None] / (lam[:, None] + alphas[None, :]))  # (p, n_alphas)
    return ((X_test - st.mean) / st.scale) @ coefs + st.y_mean


def _all_alpha_predictions_dual(
    st: _Standardised,
    X_train: np.ndarray,
    y_train: np.ndarray,
    constant: np.ndarray,
    X_test: np.ndarray,
    alphas: np.ndarray,
) -> np.ndarray:
    """The same for fewer rows than features: one SVD of the standardised rows (n x p, n < p)."""
    Z = (X_train - st.mean) / st.scale
    Z[:, constant] = 0.0
    U, sv, Vt = np.linalg.svd(Z - Z.mean(axis=0), full_matrices=False)
    coefs = Vt.T @ ((sv / (sv**2 + alphas[:, None])) * (U.T @ (y_train - st.y_mean))[None, :]).T
    return ((X_test - st.mean) / st.scale) @ coefs + st.y_mean


def _solve(st: _Standardised, alpha: float) -> np.ndarray:
    a = st.zz + alpha * np.eye(st.zz.shape[0])
    try:
        return scipy.linalg.solve(a, st.zy, assume_a="pos", check_finite=False)
    except np.linalg.LinAlgError:
        return scipy.linalg.solve(a, st.zy, assume_a="sym", check_finite=False)


def _add_all(parts: list[np.ndarray]) -> np.ndarray:
    """The elementwise sum of same-shape arrays, added in order (as the builtin sum, whose int start 0
    would make the type ``ndarray | int``; adding a zero array first gives the same values)."""
    return sum(parts, np.zeros_like(parts[0]))


def _is_partition(splits: Sequence[Split], n: int) -> bool:
    seen = np.zeros(n, dtype=int)
    for _, test in splits:
        seen[test] += 1
    return bool((seen == 1).all())


def select_alpha(mean_r2: np.ndarray, alphas: np.ndarray) -> float:
    """The alpha with the highest mean inner R²; ties go to the first alpha of the grid (GridSearchCV)."""
    return float(alphas[int(np.argmax(mean_r2))])


def r2_scores(pred: np.ndarray, y_test: np.ndarray) -> np.ndarray:
    """R² of (n_test, n_alphas) predictions, as sklearn's r2_score (a constant y_test scores 1 if exact, else 0)."""
    resid = ((pred - y_test[:, None]) ** 2).sum(axis=0)
    total = float(((y_test - y_test.mean()) ** 2).sum())
    if total == 0.0:
        return np.where(resid == 0.0, 1.0, 0.0)
    return 1.0 - resid / total


def fold_predictions(
    X: np.ndarray, y: np.ndarray, inner: Sequence[Split], alphas: np.ndarray, X_test: np.ndarray
) -> tuple[np.ndarray, float, np.ndarray]:
    """(predictions on X_test, chosen alpha, mean inner-CV R² per alpha) for one outer fold.

    X, y: the outer training rows (already shifted by global means); `inner`: (train, test) index
    pairs into them, whose test parts must partition the rows (GroupKFold's do).
    """
    n = X.shape[0]
    if not _is_partition(inner, n):
        raise ValueError("inner test parts must partition the outer training rows")
    blocks = [_Stats.of(X[test], y[test]) for _, test in inner]
    total = _Stats(
        n,
        _add_all([b.sx for b in blocks]),
        _add_all([b.gram for b in blocks]),
        _add_all([b.xy for b in blocks]),
        sum(b.sy for b in blocks),
        np.min([b.lo for b in blocks], axis=0),
        np.max([b.hi for b in blocks], axis=0),
    )
    scaler = _outer_scale(total)  # fitted once on the outer training rows, as the study's pipeline
    r2 = np.zeros(alphas.size)
    for j, (train, test) in enumerate(inner):
        rest = [b for k, b in enumerate(blocks) if k != j]
        part = total.minus(
            blocks[j], np.min([b.lo for b in rest], axis=0), np.max([b.hi for b in rest], axis=0)
        )
        st = _standardise(part, scaler)
        if part.n < X.shape[1]:  # wide: the n x n side is the cheap one
            pred = _all_alpha_predictions_dual(st, X[train], y[train], scaler[1], X[test], alphas)
        else:
            pred = _all_alpha_predictions(st, X[test], alphas)
        r2 += r2_scores(pred, y[test])
    r2 /= len(inner)
    best = select_alpha(r2, alphas)
    st = _standardise(total, scaler)
    coef = _solve(st, best)
    return ((X_test - st.mean) / st.scale) @ coef + st.y_mean, best, r2
