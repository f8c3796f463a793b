"""Paper-scale cost of the evaluation stage (every model's probes on every task, docs/protocol.md §5) for `utr-assets plan`.

The per-outer-fold seconds below are MEASURED figures: `speed_benchmarks/evaluation_throughput.py`, run on
this project's 2-core x86_64 development machine (no GPU), one BLAS/OpenMP thread per process, while
other jobs shared the machine (load average 3-4 on its 2 cores): repeated runs under other loads
differed by up to 3x, and the figures say nothing about CUDA. Everything else is arithmetic on those figures:

- Ridge, per outer fold: t(n, p) = a n p^2 + b p^3 (one X^T X, k + 1 eigendecompositions/solves),
  a and b fitted through the two measured p = 768 shapes (half-life, Griesemer); the p = 1,024
  Siegel shapes scale the measured Jurkat fold by the same law.
- SVR, per outer fold: the fold time measured at n_ref rows grown as (n / n_ref)^e with
  e = max(measured exponent, 2) (libsvm touches at least the n^2 kernel entries; small subsamples
  under-measure it), so the SVR figure is the least certain one.
- MLP, per outer fold: proportional to the rows (the same number of epochs assumed).
- Paper shapes: Siegel Jurkat 35,682 and Beas2B 4,462 oligos x 2 targets, leave-one-chromosome-out
  (23 folds); Griesemer 6 cell lines x ~40,000 oligos, leave-one-group-out over GRIESEMER_GROUPS
  groups (an assumption: replace with the count the mpra dataset reports); half-life 12,457 genes,
  10 folds; variants 4 splits x 20,000 x [ref || alt] 2 x 768, grouped and ungrouped, 10 folds.
- Every model in the registry is counted on every probe task (an upper bound: models without
  embeddings give not-applicable rows at no cost).
"""

from __future__ import annotations

from typing import Any

MEASURED_ON = (
    "speed_benchmarks/evaluation_throughput.py, 2026-12-02, 2-core x86_64 dev machine (shared, load 3-4), "
    "1 BLAS thread; measured"
)
# probe -> shape -> (rows, features, seconds per outer fold ours, seconds per outer fold sklearn's path)
# (`--tasks ridge:jurkat ridge:half_life ridge:griesemer svr:half_life --scale 1 --sklearn-folds 1
#   --svr-rows 2000 4000`: totals / outer folds; sklearn's RidgeCV path timed on one outer fold)
# (Jurkat: all 23 folds timed for both, `--tasks ridge:jurkat --scale 1`)
RIDGE_FOLD_S = {
    "jurkat": (35_682, 1_024, 73.37 / 23, 971.93 / 23),
    "half_life": (12_457, 768, 12.02 / 10, 148.01 / 10),
    "griesemer": (40_000, 768, 20.59 / 10, 160.88 / 10),
}
SVR_FOLD_S = {
    "rows": 4_000,
    "features": 768,
    "ours": 13.2,
    "sklearn": 89.7,
    "exponent_ours": 2.32,
    "exponent_sklearn": 1.76,
}
# (`--tasks mlp:variants --scale 0.1 --mlp-folds 1`): 2,000 variants, one outer fold timed. On CPU the probe's
# backend "auto" runs sklearn's GridSearchCV (the torch replay took 30.0 s per fold in float64), so "ours" is it.
MLP_FOLD_S = {"rows": 2_000, "features": 1_536, "ours": 150.58 / 10, "sklearn": 150.58 / 10}
GRIESEMER_GROUPS = 3_000  # assumption (see docstring)

# (task, splits, rows, features, outer folds, probes)
PAPER_TASKS = [
    ("siegel_jurkat", 2, 35_682, 1_024, 23, ("ridge", "svr")),
    ("siegel_beas2b", 2, 4_462, 1_024, 23, ("ridge", "svr")),
    ("griesemer", 6, 40_000, 768, GRIESEMER_GROUPS, ("ridge", "svr")),
    ("half_life", 1, 12_457, 768, 10, ("ridge", "svr")),
    ("variants", 8, 20_000, 1_536, 10, ("mlp",)),
]


def _ridge_law(which: int) -> tuple[float, float]:
    """(a, b) of t = a n p^2 + b p^3 through the two p = 768 measurements (which: 2 ours, 3 sklearn)."""
    (n1, p, *_), (n2, _, *_) = RIDGE_FOLD_S["half_life"], RIDGE_FOLD_S["griesemer"]
    t1, t2 = RIDGE_FOLD_S["half_life"][which], RIDGE_FOLD_S["griesemer"][which]
    a = (t2 - t1) / ((n2 - n1) * p**2)
    b = (t1 - a * n1 * p**2) / p**3
    if a <= 0 or b < 0:  # noisy measurements: all of it to the n p^2 term
        a, b = t2 / (n2 * p**2), 0.0
    return a, b


def fold_seconds(probe: str, rows: int, features: int, which: str = "ours") -> float:
    """Estimated seconds for one outer fold of `probe` at (rows, features)."""
    if probe == "ridge":
        k = 2 if which == "ours" else 3
        a, b = _ridge_law(k)
        law = lambda n, p: a * n * p**2 + b * p**3  # noqa: E731
        n_j, p_j = RIDGE_FOLD_S["jurkat"][:2]
        if features == p_j and law(n_j, p_j) > 0:
            return RIDGE_FOLD_S["jurkat"][k] * law(rows, features) / law(n_j, p_j)
        return law(rows, features)
    if probe == "svr":
        e = max(SVR_FOLD_S[f"exponent_{which}"], 2.0)
        return SVR_FOLD_S[which] * (rows / SVR_FOLD_S["rows"]) ** e * features / SVR_FOLD_S["features"]
    if probe == "mlp":
        return MLP_FOLD_S[which] * rows / MLP_FOLD_S["rows"] * features / MLP_FOLD_S["features"]
    raise ValueError(f"unknown probe {probe!r}")


def evaluation_estimate(n_models: int) -> dict[str, Any]:
    """Seconds per model and task (ours and sklearn's path), and the whole stage for `n_models`."""
    rows, per_model = [], {"ours": 0.0, "sklearn": 0.0}
    for task, splits, n, p, folds, probes in PAPER_TASKS:
        for probe in probes:
            ours = splits * folds * fold_seconds(probe, n, p, "ours")
            theirs = splits * folds * fold_seconds(probe, n, p, "sklearn")
            rows.append(
                {
                    "task": task,
                    "probe": probe,
                    "splits": splits,
                    "rows": n,
                    "features": p,
                    "outer_folds": folds,
                    "ours_s": ours,
                    "sklearn_s": theirs,
                }
            )
            per_model["ours"] += ours
            per_model["sklearn"] += theirs
    return {
        "source": MEASURED_ON,
        "n_models": n_models,
        "per_task": rows,
        "per_model_hours": {k: v / 3600 for k, v in per_model.items()},
        "stage_hours": {k: v * n_models / 3600 for k, v in per_model.items()},
        "griesemer_groups_assumed": GRIESEMER_GROUPS,
    }


def format_evaluation(est: dict[str, Any]) -> list[str]:
    """Plain-text lines for `format_plan`."""
    out = [
        f"Evaluation stage (probes, CPU core-hours per model; {est['source']}):",
        f"  {'task':<15}{'probe':<7}{'splits':>7}{'rows x feat':>15}{'folds':>7}{'ours h':>9}{'sklearn h':>11}",
    ]
    for r in est["per_task"]:
        out.append(
            f"  {r['task']:<15}{r['probe']:<7}{r['splits']:>7}{r['rows']:>9,} x{r['features']:>5}"
            f"{r['outer_folds']:>7}{r['ours_s'] / 3600:>9.2f}{r['sklearn_s'] / 3600:>11.1f}"
        )
    pm, st = est["per_model_hours"], est["stage_hours"]
    out.append(
        f"  per model {pm['ours']:.1f} h (sklearn's path {pm['sklearn']:.0f} h); all {est['n_models']} models "
        f"{st['ours']:.0f} h (sklearn {st['sklearn']:.0f} h). Griesemer leave-one-group-out assumes "
        f"{est['griesemer_groups_assumed']:,} groups; SVR extrapolated from subsamples (least certain)."
    )
    return out
