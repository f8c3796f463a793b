"""The timing table of `evaluation_throughput`: timing a call, one result row per probe and task (ours vs
sklearn's path, agreement of the predictions), and printing the rows with the machine they ran on.

What belongs here: measuring and reporting only. Not here: the probes' workloads
(`evaluation_throughput.py`).
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def result_row(
    probe: str,
    task: str,
    X: np.ndarray,
    n_outer: int,
    t_ours: float,
    t_sk: float,
    ours: np.ndarray,
    ref: np.ndarray,
    sklearn_note: str,
    check: str,
    estimated: bool = False,
) -> dict[str, Any]:
    return {
        "probe": probe,
        "task": task,
        "rows": int(X.shape[0]),
        "features": int(X.shape[1]),
        "outer_folds": n_outer,
        "ours_s": round(t_ours, 2),
        "sklearn_s": round(t_sk, 2),
        "ratio": round(t_sk / t_ours, 1),
        "estimated": estimated,
        "max_abs_diff": float(np.abs(ours - ref).max()) if ours.size else float("nan"),
        "pearson_r": float(np.corrcoef(ours, ref)[0, 1]) if ours.size > 2 else float("nan"),
        "sklearn_path": sklearn_note,
        "check": check,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    from threadpoolctl import threadpool_info

    threads = sorted({(i["internal_api"], i["num_threads"]) for i in threadpool_info()})
    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}; thread pools {threads}"
    )
    head = (
        f"{'probe':<6}{'task':<11}{'rows x feat':>14}{'folds':>6}{'ours s':>9}{'sklearn s':>11}{'ratio':>7}"
        f"{'max|d|':>9}{'r':>9}  sklearn path / check"
    )
    print(head)
    for r in rows:
        est = "~" if r["estimated"] else ""
        print(
            f"{r['probe']:<6}{r['task']:<11}{r['rows']:>8,} x{r['features']:>5}{r['outer_folds']:>6}"
            f"{est + format(r['ours_s'], '.1f'):>9}{est + format(r['sklearn_s'], '.1f'):>11}{r['ratio']:>7.1f}"
            f"{r['max_abs_diff']:>9.1e}{r['pearson_r']:>9.6f}  {r['sklearn_path']}; {r['check']}"
        )
    print("~: estimated from subsamples (see docstring)")
