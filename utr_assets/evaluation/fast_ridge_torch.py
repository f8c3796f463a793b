"""`fast_ridge.fold_predictions` on torch (float64), for CUDA: the same statistics, eigendecompositions
and choice rule, with the rows kept on the device across outer folds.

The arithmetic follows `fast_ridge` line for line (see its docstring); only the array library
differs, so the chosen alphas and the predictions agree with the numpy version and with sklearn to
rounding (tests run it on the CPU). `probes.cv_regression_predictions` uses it when CUDA is available.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from utr_assets.evaluation.fast_ridge import r2_scores, select_alpha

Split = tuple[np.ndarray, np.ndarray]


def _stats(X: torch.Tensor, y: torch.Tensor) -> list:
    return [X.shape[0], X.sum(0), X.T @ X, X.T @ y, y.sum(), X.amin(0), X.amax(0)]


def _outer_scale(n: int, sx: torch.Tensor, gram: torch.Tensor, constant: torch.Tensor) -> torch.Tensor:
    mean = sx / n
    centred = gram - n * torch.outer(mean, mean)
    scale = torch.where(
        constant, torch.ones_like(mean), torch.sqrt(torch.clamp(torch.diagonal(centred) / n, min=0.0))
    )
    return torch.where(scale == 0, torch.ones_like(scale), scale)


def _standardise(
    n: int,
    sx: torch.Tensor,
    gram: torch.Tensor,
    xy: torch.Tensor,
    sy: torch.Tensor,
    *,
    constant: torch.Tensor,
    scale: torch.Tensor,
) -> tuple[torch.Tensor, ...]:
    mean, y_mean = sx / n, sy / n
    centred = gram - n * torch.outer(mean, mean)
    zz = centred / torch.outer(scale, scale)
    zz[constant, :] = 0.0
    zz[:, constant] = 0.0
    zz = (zz + zz.T) / 2
    zy = (xy - n * mean * y_mean) / scale
    zy[constant] = 0.0
    return zz, zy, mean, scale, y_mean


def fold_predictions(
    X: torch.Tensor,
    y: torch.Tensor,
    train: np.ndarray,
    inner: Sequence[Split],
    alphas: np.ndarray,
    test: np.ndarray,
) -> tuple[np.ndarray, float, np.ndarray]:
    """(predictions on X[test], chosen alpha, mean inner-CV R² per alpha); X, y on the device, shifted by
    their overall means; `inner` indexes ``train``, its test parts partitioning it."""
    dev = X.device
    seen = np.zeros(train.size, dtype=int)
    for _, part in inner:
        seen[part] += 1
    if not (seen == 1).all():
        raise ValueError("inner test parts must partition the outer training rows")
    a = torch.as_tensor(alphas, dtype=X.dtype, device=dev)
    rows = [torch.as_tensor(train[part], device=dev) for _, part in inner]
    blocks = [_stats(X[r], y[r]) for r in rows]
    total = [sum(b[i] for b in blocks) for i in range(5)]
    lo = torch.stack([b[5] for b in blocks]).amin(0)
    hi = torch.stack([b[6] for b in blocks]).amax(0)
    constant = lo == hi
    outer_scale = _outer_scale(total[0], total[1], total[2], constant)  # once per outer fold, as the study
    r2 = np.zeros(a.numel())
    for j, r in enumerate(rows):
        held_in = [t - s for t, s in zip(total, blocks[j][:5], strict=True)]
        zz, zy, mean, scale, y_mean = _standardise(*held_in, constant=constant, scale=outer_scale)
        lam, V = torch.linalg.eigh(zz)
        coefs = V @ ((V.T @ zy)[:, None] / (lam.clamp(min=0.0)[:, None] + a[None, :]))
        pred = ((X[r] - mean) / scale) @ coefs + y_mean
        r2 += r2_scores(pred.cpu().numpy(), y[r].cpu().numpy())
    r2 /= len(rows)
    best = select_alpha(r2, np.asarray(alphas, dtype=float))
    zz, zy, mean, scale, y_mean = _standardise(*total, constant=constant, scale=outer_scale)
    eye = torch.eye(zz.shape[0], dtype=X.dtype, device=dev)
    coef = torch.linalg.solve(zz + best * eye, zy)
    t = torch.as_tensor(test, device=dev)
    return (((X[t] - mean) / scale) @ coef + y_mean).cpu().numpy(), best, r2
