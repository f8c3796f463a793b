"""sklearn's MLPClassifier(solver="adam", early_stopping=True) for many fits at once, on torch.

Each fit is the computation sklearn's MLPClassifier does for a binary target after a StandardScaler,
replayed step for step: the same RandomState stream (Glorot-uniform weights and biases, then the
stratified 10% validation split, then one index shuffle per epoch), batches of min(200, n), ReLU
hidden layers and a logistic output, binary log-loss with the L2 term alpha * ||W||^2 / (2 * batch),
sklearn's Adam update (lr 1e-3, betas 0.9/0.999, eps 1e-8 added to sqrt(v)), and its early-stopping
rule: after every epoch the validation accuracy; an epoch that does not beat the best by tol=1e-4
counts, the count resets otherwise; training stops when the count exceeds n_iter_no_change=10 or
after max_iter epochs, and the weights of the best validation epoch are restored.

What is different is only the arithmetic: fits of one architecture are stacked and trained together
with batched matrix products (one Python step per batch for all of them), on CUDA when available.
In float64 the results equal sklearn's to rounding (tests); float32 (the default on CUDA) is faster
and the early-stopping decisions may then differ in rare epochs (benchmarks compare AUCs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import shuffle

BETA1, BETA2, EPS, LR, TOL, N_NO_CHANGE, VALIDATION = 0.9, 0.999, 1e-8, 1e-3, 1e-4, 10, 0.1


@dataclass(frozen=True)
class Fit:
    """One MLP fit: train on X[train], return P(1) on X[predict]."""

    train: np.ndarray
    predict: np.ndarray
    hidden: tuple[int, ...]
    alpha: float


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class _Stack:
    """The state of K fits of one architecture: weights, Adam moments, early-stopping bookkeeping."""

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        fits: Sequence[Fit],
        seed: int,
        device: torch.device,
        dtype: torch.dtype,
    ):
        self.dev, self.dtype, K = device, dtype, len(fits)
        sizes = [X.shape[1], *fits[0].hidden, 1]
        Ws: list[list[np.ndarray]] = [[] for _ in sizes[1:]]
        bs: list[list[np.ndarray]] = [[] for _ in sizes[1:]]
        self.mean, self.scale, self.train_rows, self.val_rows, self.rngs = [], [], [], [], []
        for f in fits:
            sc = StandardScaler().fit(X[f.train])
            self.mean.append(sc.mean_)
            self.scale.append(sc.scale_)
            rs = np.random.RandomState(seed)
            for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
                bound = np.sqrt(6.0 / (fan_in + fan_out))
                Ws[i].append(rs.uniform(-bound, bound, (fan_in, fan_out)))
                bs[i].append(rs.uniform(-bound, bound, fan_out))
            yb = y[f.train].astype(bool).reshape(-1, 1)
            tr, va = train_test_split(
                np.arange(f.train.size), random_state=rs, test_size=VALIDATION, stratify=yb
            )
            self.train_rows.append(f.train[tr])
            self.val_rows.append(f.train[va])
            self.rngs.append(rs)
        t = lambda a: torch.as_tensor(np.stack(a), dtype=dtype, device=device)  # noqa: E731
        self.W, self.b = [t(w) for w in Ws], [t(b) for b in bs]
        self.mu, self.sd = t(self.mean), t(self.scale)
        self.alpha = torch.tensor([f.alpha for f in fits], dtype=dtype, device=device)
        self.params = [*self.W, *self.b]
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.step = torch.zeros(K, dtype=dtype, device=device)
        self.best = [p.clone() for p in self.params]
        self.best_score = np.full(K, -np.inf)
        self.no_change = np.zeros(K, dtype=int)
        self.order = [np.arange(r.size) for r in self.train_rows]
        self.ids = np.arange(K)
        self.finished: dict[int, list[torch.Tensor]] = {}  # fit index -> its best weights and biases
        self.mu_all, self.sd_all = self.mu, self.sd

    def retire(self, stop: np.ndarray) -> None:
        """Take the fits that stopped out of the stack (keeping their best weights): no step computes them."""
        for k in np.flatnonzero(stop):
            self.finished[int(self.ids[k])] = [b[k].clone() for b in self.best]
        keep = np.flatnonzero(~stop)
        kt = torch.as_tensor(keep, device=self.dev, dtype=torch.long)
        self.W, self.b = [w[kt] for w in self.W], [b[kt] for b in self.b]
        self.params = [*self.W, *self.b]
        self.m, self.v, self.best = (
            [m[kt] for m in self.m],
            [v[kt] for v in self.v],
            [b[kt] for b in self.best],
        )
        self.mu, self.sd, self.alpha, self.step = self.mu[kt], self.sd[kt], self.alpha[kt], self.step[kt]
        for name in ("train_rows", "val_rows", "rngs", "order"):
            setattr(self, name, [getattr(self, name)[k] for k in keep])
        self.best_score, self.no_change, self.ids = (
            self.best_score[keep],
            self.no_change[keep],
            self.ids[keep],
        )

    def restore_best(self) -> None:
        """Every fit back in its original place with the weights of its best validation epoch."""
        self.retire(np.ones(self.ids.size, dtype=bool))
        order, n_w = sorted(self.finished), len(self.W)
        params = [torch.stack([self.finished[i][j] for i in order]) for j in range(2 * n_w)]
        self.W, self.b, self.mu, self.sd = params[:n_w], params[n_w:], self.mu_all, self.sd_all

    def forward(self, xb: torch.Tensor) -> list[torch.Tensor]:
        """Activations of every layer for standardised inputs xb (K, B, d)."""
        acts = [xb]
        for i, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = torch.baddbmm(b[:, None, :], acts[-1], W)
            acts.append(torch.relu(z) if i < len(self.W) - 1 else torch.sigmoid(z))
        return acts

    def gather(
        self, X: torch.Tensor, y: torch.Tensor, rows: list[np.ndarray], width: int
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Standardised inputs (K, width, d), targets and a 0/1 mask (K, width) of padded row lists."""
        idx = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width))
        for k, r in enumerate(rows):
            idx[k, : r.size], mask[k, : r.size] = r, 1.0
        idx_t = torch.as_tensor(idx, device=self.dev)
        xb = (X[idx_t] - self.mu[:, None, :]) / self.sd[:, None, :]
        return xb, y[idx_t], torch.as_tensor(mask, dtype=self.dtype, device=self.dev)

    def adam_step(self, grads: list[torch.Tensor], active: torch.Tensor) -> None:
        """sklearn's AdamOptimizer update, for the fits with active == 1 only."""
        self.step += active
        t = self.step.clamp(min=1)
        lr = LR * torch.sqrt(1 - BETA2**t) / (1 - BETA1**t)
        everyone = bool(active.all())
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            shape = (-1, *([1] * (p.dim() - 1)))
            if everyone:  # the common step: in place, no masks
                m.mul_(BETA1).add_((1 - BETA1) * g)
                v.mul_(BETA2).add_((1 - BETA2) * g * g)
                p.sub_(lr.view(shape) * m / (v.sqrt() + EPS))
                continue
            on = active.view(shape).bool()
            m.copy_(torch.where(on, BETA1 * m + (1 - BETA1) * g, m))
            v.copy_(torch.where(on, BETA2 * v + (1 - BETA2) * g * g, v))
            p.add_(torch.where(on, -lr.view(shape) * m / (v.sqrt() + EPS), torch.zeros_like(p)))


def _train(stack: _Stack, X: torch.Tensor, y: torch.Tensor, max_iter: int) -> None:
    n_layers = len(stack.W)
    for _ in range(max_iter):
        K = stack.ids.size
        if not K:
            break
        for k in range(K):
            stack.order[k] = shuffle(stack.order[k], random_state=stack.rngs[k])
        sizes = np.array([r.size for r in stack.train_rows])
        batch = np.minimum(200, sizes)
        n_batches = -(-sizes // batch)
        for s in range(int(n_batches.max())):
            on = s < n_batches
            rows = [
                stack.train_rows[k][stack.order[k][s * batch[k] : (s + 1) * batch[k]]]
                if on[k]
                else np.zeros(0, dtype=np.int64)
                for k in range(K)
            ]
            xb, yb, mask = stack.gather(X, y, rows, int(batch.max()))
            acts = stack.forward(xb)
            n = mask.sum(1).clamp(min=1)[:, None, None]
            delta = (acts[-1] - yb[..., None]) * mask[..., None]
            gW: dict[int, torch.Tensor] = {}  # layer -> gradient, filled from the last layer down
            gb: dict[int, torch.Tensor] = {}
            for i in range(n_layers - 1, -1, -1):
                gW[i] = (acts[i].transpose(1, 2) @ delta + stack.alpha[:, None, None] * stack.W[i]) / n
                gb[i] = delta.sum(1) / n[:, :, 0]
                if i:
                    delta = (delta @ stack.W[i].transpose(1, 2)) * (acts[i] > 0)
            grads = [*(gW[i] for i in range(n_layers)), *(gb[i] for i in range(n_layers))]
            stack.adam_step(grads, torch.as_tensor(on, dtype=stack.dtype, device=stack.dev))
        scores = _accuracy(stack, X, y)
        for k in range(K):
            stack.no_change[k] = stack.no_change[k] + 1 if scores[k] < stack.best_score[k] + TOL else 0
            if scores[k] > stack.best_score[k]:
                stack.best_score[k] = scores[k]
                for best, p in zip(stack.best, stack.params, strict=True):
                    best[k] = p[k]
        stack.retire(stack.no_change > N_NO_CHANGE)
    stack.restore_best()


def _probabilities(
    stack: _Stack, X: torch.Tensor, y: torch.Tensor, rows: list[np.ndarray], chunk: int = 2048
) -> list[np.ndarray]:
    out: list[list[np.ndarray]] = [[] for _ in rows]
    width = max(r.size for r in rows)
    for start in range(0, width, chunk):
        part = [r[start : start + chunk] for r in rows]
        xb, _, _ = stack.gather(X, y, part, max(p.size for p in part))
        prob = stack.forward(xb)[-1][..., 0].cpu().numpy()
        for k, p in enumerate(part):
            out[k].append(prob[k, : p.size])
    return [np.concatenate(o) if o else np.zeros(0) for o in out]


def _accuracy(stack: _Stack, X: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    probs = _probabilities(stack, X, y, stack.val_rows)
    yv = y.cpu().numpy()
    return np.array([np.mean((p > 0.5) == (yv[r] > 0.5)) for p, r in zip(probs, stack.val_rows, strict=True)])


def fit_predict(
    X: np.ndarray,
    y: np.ndarray,
    fits: Sequence[Fit],
    *,
    seed: int = 0,
    max_iter: int = 200,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
) -> list[np.ndarray]:
    """P(label 1) on each fit's `predict` rows, fits of one architecture trained together."""
    dev = torch.device(device) if device is not None else default_device()
    dt = dtype or (torch.float32 if dev.type == "cuda" else torch.float64)
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=dt, device=dev)
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64), dtype=dt, device=dev)
    out: dict[int, np.ndarray] = {}  # fit index -> its probabilities (every fit has one hidden size)
    for hidden in sorted({f.hidden for f in fits}):
        which = [i for i, f in enumerate(fits) if f.hidden == hidden]
        stack = _Stack(X, np.asarray(y), [fits[i] for i in which], seed, dev, dt)
        with torch.no_grad():
            _train(stack, Xt, yt, max_iter)
            for i, p in zip(
                which, _probabilities(stack, Xt, yt, [fits[i].predict for i in which]), strict=True
            ):
                out[i] = p
    return [out[i] for i in range(len(fits))]


def grid_search_probabilities(
    X: np.ndarray,
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray, Sequence[tuple[np.ndarray, np.ndarray]]]],
    grid: dict[str, list],
    *,
    seed: int = 0,
    max_iter: int = 200,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
) -> list[np.ndarray]:
    """GridSearchCV(scoring="roc_auc") + refit for every outer fold, all fits of a stage batched.

    `folds`: (train, test, inner) with inner (train, test) pairs indexing ``train``; `grid`: lists of
    "alpha" and "hidden_layer_sizes", walked in ParameterGrid order (the first best mean inner AUC
    wins, as in GridSearchCV). Returns P(1) on each outer test part.
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import ParameterGrid

    points = list(ParameterGrid(grid))

    fits, keys = [], []
    for k, (train, _, inner) in enumerate(folds):
        for j, point in enumerate(points):
            for tr, te in inner:
                fits.append(
                    Fit(train[tr], train[te], tuple(point["hidden_layer_sizes"]), float(point["alpha"]))
                )
                keys.append((k, j))
    probs = fit_predict(X, y, fits, seed=seed, max_iter=max_iter, device=device, dtype=dtype)
    auc = np.zeros((len(folds), len(points)))
    count = np.zeros_like(auc)
    for (k, j), f, p in zip(keys, fits, probs, strict=True):
        auc[k, j] += roc_auc_score(y[f.predict], p)
        count[k, j] += 1
    best = [points[int(np.argmax(row))] for row in auc / count]
    refits = [
        Fit(train, test, tuple(b["hidden_layer_sizes"]), float(b["alpha"]))
        for (train, test, _), b in zip(folds, best, strict=True)
    ]
    return fit_predict(X, y, refits, seed=seed, max_iter=max_iter, device=device, dtype=dtype)
