"""Evaluation-probe throughput at the study's shapes: our probes vs sklearn's path on the same folds.

Usage: python -m speed_benchmarks.evaluation_throughput [--tasks ridge:jurkat svr:half_life mlp:variants ...]
       [--scale 1.0] [--sklearn-folds 2] [--svr-rows 600 1200] [--mlp-folds 1] [--out results.json]

Synthetic features of the real shapes (throughput does not depend on the values; agreement is checked
on them): Siegel Jurkat 35,682 oligos x 1,024 5-mer counts (leave-one-chromosome-out, 23 groups);
Griesemer one cell line/target of ~40,000 oligos x 768 (10 grouped outer folds over 4,000 loci);
half-life 12,457 genes x 768 (the 10 given folds); variants 20,000 x [ref || alt] 2 x 768 (MLP, gene-
grouped 10-fold outer, 3-fold inner). `--scale` multiplies the row counts.

Per probe the alternative is sklearn's own path over the same outer and inner folds and grid:
- ridge: per outer fold make_pipeline(StandardScaler(), RidgeCV(alphas, cv=<inner grouped folds>,
  scoring="neg_mean_squared_error")); "check" reports the out-of-fold predictions of ours against
  sklearn's Ridge(alpha=<our chosen alpha>) refitted on each outer training part (max |diff|) and
  how many outer folds RidgeCV chose the same alpha (its X is standardised once per outer fold, ours
  per inner training part as the probe does, hence rare different choices).
- svr: GridSearchCV of the probe's TransformedTargetRegressor(StandardScaler + SVR(rbf)) pipeline.
  Both are timed on one outer fold at `--svr-rows` subsample sizes; the time per outer fold at the
  full size is extrapolated with the power law fitted through the two sizes and multiplied by the
  number of outer folds ("est." in the table).
- mlp: sklearn's GridSearchCV of MLPClassifier(adam, early stopping) as mlp_probe.cv_mlp_probabilities
  ran it; ours the batched torch MLP. sklearn is timed on `--mlp-folds` outer folds and extrapolated.
`--sklearn-folds N` times sklearn's Ridge path on the first N outer folds only and extrapolates
(agreement columns then cover those folds).

Measured 2026-12-02 on the 2-core x86_64 dev machine (shared; load average ~3), OPENBLAS_NUM_THREADS=1
OMP_NUM_THREADS=1, --scale 1 --sklearn-folds 1 --svr-rows 2000 4000 (MLP: --scale 0.1 --mlp-folds 1):
  ridge jurkat     35,682 x 1,024, 23 folds:   81.4 s vs RidgeCV  964.8 s (1 fold x 23): 11.9x; max |d| 5e-14
  ridge half_life  12,457 x   768, 10 folds:   12.0 s vs RidgeCV  148.0 s (1 fold x 10): 12.3x; max |d| 4e-14
  ridge griesemer  40,000 x   768, 10 folds:   20.6 s vs RidgeCV  160.9 s (1 fold x 10):  7.8x; max |d| 1e-13
  svr half_life    per outer fold at 2,000/4,000 rows: 2.6/13.2 s vs GridSearchCV 26.4/89.7 s (10x/6.8x);
                   full size extrapolated ~1,826 s vs ~6,646 s; max |d| 5e-14
  mlp variants     2,000 x 1,536, per outer fold: torch float64 CPU 30.0 s vs sklearn 15.1 s (0.5x; same
                   probabilities, max |d| 5e-15); torch float32 CPU 10.5 s vs 14.0 s (1.3x; AUC 0.845 vs 0.853)
Each Ridge row: ours equals sklearn's Ridge at our alpha (max |d| above) and RidgeCV chose the same alpha.
All 23 folds timed for both (`--tasks ridge:jurkat --scale 1`, same machine, load ~4): ours 73.4 s, RidgeCV
971.9 s: 13.2x; alpha equal to RidgeCV's in 23/23 folds; max |ours - Ridge(alpha_ours)| 6.1e-14.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from speed_benchmarks.probe_timing import print_table, result_row, timed
from utr_assets.evaluation.fast_ridge import fold_predictions
from utr_assets.evaluation.fast_svr import param_grid, svr_fold_predictions
from utr_assets.evaluation.folds import group_folds, inner_group_splits
from utr_assets.evaluation.probes import RIDGE_ALPHAS, SVR_GRID, _svr

SHAPES = {  # rows, features, groups, outer folds (None: leave-one-group-out), alpha grid
    "jurkat": (35_682, 1_024, 23, None, "siegel"),
    "griesemer": (40_000, 768, 4_000, 10, "griesemer"),
    "half_life": (12_457, 768, 10, None, "half_life"),
}


def regression_data(
    task: str, scale: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, groups, outer fold per row) of the task's shape; k-mer counts for Jurkat."""
    n_full, p, n_groups, n_outer, _ = SHAPES[task]
    n = max(int(n_full * scale), 40 * min(n_groups, 23))
    rng = np.random.default_rng(seed)
    if task == "jurkat":
        X = rng.multinomial(196, rng.dirichlet(np.full(p, 2.0)), size=n).astype(float)
    else:
        X = rng.normal(size=(n, 32)) @ rng.normal(size=(32, p)) + rng.normal(size=(n, p))
    w = rng.normal(size=p) / np.sqrt(p)
    Xs = (X - X.mean(0)) / (X.std(0) + 1e-9)
    y = Xs @ w + 0.3 * np.sin(Xs[:, 0]) + rng.normal(0, 1.0, n)
    groups = rng.integers(0, min(n_groups, max(2, n // 10)), n)
    return X, y, groups, group_folds(groups, n_outer, seed)


def _outer(folds: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.flatnonzero(folds != f), np.flatnonzero(folds == f)) for f in np.unique(folds)]


def bench_ridge(task: str, scale: float, sklearn_folds: int | None) -> dict[str, Any]:
    X, y, groups, folds = regression_data(task, scale)
    alphas = RIDGE_ALPHAS[SHAPES[task][4]]
    outer = _outer(folds)
    inner = [inner_group_splits(groups[tr], 5, 0) for tr, _ in outer]

    def ours() -> tuple[np.ndarray, list[float]]:
        sx, sy = X.mean(0), y.mean()
        pred, chosen = np.full(y.size, np.nan), []
        for (tr, te), inn in zip(outer, inner, strict=True):
            p, a, _ = fold_predictions(X[tr] - sx, y[tr] - sy, inn, alphas, X[te] - sx)
            pred[te], chosen = p + sy, [*chosen, a]
        return pred, chosen

    (pred, chosen), t_ours = timed(ours)
    k = len(outer) if sklearn_folds is None else min(sklearn_folds, len(outer))
    ref, same, refit_diff = np.full(y.size, np.nan), 0, 0.0
    t0 = time.perf_counter()
    for j in range(k):
        (tr, te), inn = outer[j], inner[j]
        est = make_pipeline(
            StandardScaler(), RidgeCV(alphas=alphas, cv=inn, scoring="neg_mean_squared_error")
        )
        ref[te] = est.fit(X[tr], y[tr]).predict(X[te])
        same += int(np.isclose(est[-1].alpha_, chosen[j]))
    t_sk = (time.perf_counter() - t0) * len(outer) / k
    for j, (tr, te) in enumerate(outer[:k]):  # the equality claim: Ridge at our alpha, refitted by sklearn
        refit = make_pipeline(StandardScaler(), Ridge(alpha=chosen[j])).fit(X[tr], y[tr]).predict(X[te])
        refit_diff = max(refit_diff, float(np.abs(refit - pred[te]).max()))
    done = np.isfinite(ref)
    return result_row(
        "ridge",
        task,
        X,
        len(outer),
        t_ours,
        t_sk,
        pred[done],
        ref[done],
        sklearn_note="RidgeCV(cv=inner)" + (f", {k}/{len(outer)} folds timed" if k < len(outer) else ""),
        check=f"|ours - Ridge(alpha_ours)| max {refit_diff:.1e}; alpha = RidgeCV's in {same}/{k} folds",
    )


def _svr_one_fold(
    X: np.ndarray, y: np.ndarray, groups: np.ndarray, folds: np.ndarray
) -> tuple[float, float, np.ndarray, np.ndarray]:
    train, test = _outer(folds)[0]
    inner = inner_group_splits(groups[train], 5, 0)
    est, grid = _svr(X.shape[1], SVR_GRID)
    points = param_grid(
        grid["regressor__svr__C"], grid["regressor__svr__epsilon"], grid["regressor__svr__gamma"]
    )
    (ours, *_), t_ours = timed(lambda: svr_fold_predictions(X[train], y[train], inner, X[test], points))
    search = GridSearchCV(est, grid, cv=inner, scoring="neg_mean_squared_error", n_jobs=1)
    ref, t_sk = timed(lambda: search.fit(X[train], y[train]).predict(X[test]))
    return t_ours, t_sk, ours, ref


def bench_svr(task: str, scale: float, rows: tuple[int, int]) -> dict[str, Any]:
    X, y, groups, folds = regression_data(task, scale)
    n_outer = np.unique(folds).size
    timings, preds = [], ([], [])
    for n in rows:
        idx = np.random.default_rng(1).choice(y.size, size=min(n, y.size), replace=False)
        t_o, t_s, p_o, p_s = _svr_one_fold(X[idx], y[idx], groups[idx], folds[idx])
        timings.append((idx.size, t_o, t_s))
        preds[0].append(p_o)
        preds[1].append(p_s)
    (n1, o1, s1), (n2, o2, s2) = timings
    scale_to = lambda t1, t2: t2 * (y.size / n2) ** (np.log(t2 / t1) / np.log(n2 / n1))  # noqa: E731
    exp_o, exp_s = np.log(o2 / o1) / np.log(n2 / n1), np.log(s2 / s1) / np.log(n2 / n1)
    return result_row(
        "svr",
        task,
        X,
        n_outer,
        scale_to(o1, o2) * n_outer,
        scale_to(s1, s2) * n_outer,
        np.concatenate(preds[0]),
        np.concatenate(preds[1]),
        estimated=True,
        sklearn_note="GridSearchCV(TTR(Scaler+SVR rbf))",
        check=f"per outer fold at n={n1}/{n2}: ours {o1:.1f}/{o2:.1f} s, sklearn {s1:.1f}/{s2:.1f} s; "
        f"power-law exponents {exp_o:.2f}/{exp_s:.2f}",
    )


def bench_mlp(scale: float, n_folds: int, dtype: str) -> dict[str, Any]:
    """Variants: [ref || alt] 2 x 768, gene-grouped 10-fold outer, 3-fold inner, MLP_GRID; first n_folds."""
    import torch
    from sklearn.metrics import roc_auc_score

    from utr_assets.evaluation.folds import class_splits
    from utr_assets.evaluation.mlp_probe import MLP_GRID
    from utr_assets.evaluation.torch_mlp import default_device, grid_search_probabilities

    n, d = max(int(20_000 * scale), 1_000), 768
    rng = np.random.default_rng(0)
    y = rng.permutation(np.r_[np.ones(n // 2), np.zeros(n - n // 2)]).astype(int)
    ref = rng.normal(size=(n, 16)) @ rng.normal(size=(16, d)) + rng.normal(size=(n, d))
    alt = (
        ref
        + np.outer(np.where(y == 1, rng.normal(1, 0.5, n), 0.0), rng.normal(size=d) / 8)
        + rng.normal(0, 0.3, (n, d))
    )
    X, genes = np.hstack([ref, alt]), rng.integers(0, n // 5, n)
    outer = class_splits(y, genes, 10, 0, "outer")[:n_folds]
    folds = [(tr, te, class_splits(y[tr], genes[tr], 3, 1 + k, "inner")) for k, (tr, te) in enumerate(outer)]
    dev = default_device()
    torch_dtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    ours, t_ours = timed(
        lambda: grid_search_probabilities(X, y, folds, MLP_GRID, device=dev, dtype=torch_dtype)
    )
    grid = {f"mlpclassifier__{k}": v for k, v in MLP_GRID.items()}
    ref_p, t0 = [], time.perf_counter()
    for tr, te, inner in folds:
        est = make_pipeline(
            StandardScaler(), MLPClassifier(solver="adam", early_stopping=True, random_state=0)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ref_p.append(
                GridSearchCV(est, grid, cv=inner, scoring="roc_auc")
                .fit(X[tr], y[tr])
                .predict_proba(X[te])[:, 1]
            )
    t_sk = time.perf_counter() - t0
    test = np.concatenate([te for _, te, _ in folds])
    o, r = np.concatenate(ours), np.concatenate(ref_p)
    return result_row(
        "mlp",
        "variants",
        X,
        10,
        t_ours * 10 / len(folds),
        t_sk * 10 / len(folds),
        o,
        r,
        estimated=len(folds) < 10,
        sklearn_note=f"GridSearchCV(MLPClassifier adam, early stop), {len(folds)}/10 "
        f"folds timed; ours torch {dev.type} {dtype}",
        check=f"AUC on those folds ours {roc_auc_score(y[test], o):.4f} sklearn {roc_auc_score(y[test], r):.4f}",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--tasks",
        nargs="+",
        default=["ridge:jurkat", "ridge:half_life", "ridge:griesemer", "svr:half_life", "mlp:variants"],
    )
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--sklearn-folds", type=int, default=None)
    ap.add_argument("--svr-rows", type=int, nargs=2, default=[600, 1200])
    ap.add_argument("--mlp-folds", type=int, default=1)
    ap.add_argument("--mlp-dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--out")
    args = ap.parse_args()
    rows = []
    for spec in args.tasks:
        probe, task = spec.split(":")
        if probe == "ridge":
            row = bench_ridge(task, args.scale, args.sklearn_folds)
        elif probe == "svr":
            row = bench_svr(task, args.scale, tuple(args.svr_rows))
        elif probe == "mlp":
            row = bench_mlp(args.scale, args.mlp_folds, args.mlp_dtype)
        else:
            raise SystemExit(f"unknown probe {probe!r} in {spec!r}")
        print(json.dumps(row), flush=True)
        rows.append(row)
    print_table(rows)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
