"""Leaderboard plots as PNG bytes (matplotlib, Agg backend; no display needed) and the Markdown
embed of a PNG as a base64 data URI (for asset metadata).

- ROC curves per split: `roc_curve_table` makes the thinned points of one (model, score) on one
  split; `roc_curves_png` draws all curves of one split.
- Bar charts per task: value with CI error bars per split and model; the study's published value,
  where there is one, as a black tick.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be set first
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from utr_assets.benchmarks.metrics import roc_auc_with_ci, roc_curve_points  # noqa: E402

ROC_COLUMNS = ["model", "task", "split", "score", "fpr", "tpr", "auc"]


def roc_curve_table(model: str, task: str, split: str, score: str, labels: Any, scores: Any,
                    max_points: int = 200) -> pd.DataFrame:
    fpr, tpr = roc_curve_points(labels, scores, max_points)
    auc = roc_auc_with_ci(labels, scores, n_boot=0)["value"]
    return pd.DataFrame({"model": model, "task": task, "split": split, "score": score, "fpr": fpr, "tpr": tpr,
                         "auc": auc})[ROC_COLUMNS]


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def roc_curves_png(curves: pd.DataFrame, title: str) -> bytes:
    """One ROC plot: a line per (model, score) in `curves` (ROC_COLUMNS), legend with the AUC."""
    fig, ax = plt.subplots(figsize=(5.2, 5.0))
    ax.plot([0, 1], [0, 1], ls="--", lw=0.8, color="grey")
    for (model, score), c in curves.groupby(["model", "score"], sort=True):
        ax.plot(c["fpr"], c["tpr"], lw=1.3, label=f"{model} {score} ({c['auc'].iloc[0]:.3f})")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title=title, xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(fontsize=7, loc="lower right")
    return _png(fig)


def bar_chart_png(table: pd.DataFrame, title: str, metric: str | None = None) -> bytes:
    """Grouped bars: x = split, one bar per model/score label, CI as error bars, published as ticks.

    `table`: leaderboard rows of one task (status ok); `metric` picks one (default: the first listed).
    """
    table = table[table["status"] == "ok"] if "status" in table else table
    if len(table):
        metric = metric or str(table["metric"].iloc[0])
        table = table[table["metric"] == metric].drop_duplicates(["model", "score", "split"])
    splits = sorted(table["split"].unique())
    table = table.assign(label=(table["model"] + " " + table["score"].astype(str)).str.strip())
    labels = sorted(set(table["label"]))
    width = 0.8 / max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 * len(splits) + 0.25 * len(labels) * len(splits)), 4.2))
    x = np.arange(len(splits))
    for k, label in enumerate(labels):
        sub = table[table["label"] == label].set_index("split")
        vals = np.array([sub["value"].get(s, np.nan) for s in splits], dtype=float)
        lo = np.array([sub["ci_low"].get(s, np.nan) for s in splits], dtype=float)
        hi = np.array([sub["ci_high"].get(s, np.nan) for s in splits], dtype=float)
        err = np.vstack([np.nan_to_num(vals - lo), np.nan_to_num(hi - vals)])
        ax.bar(x + k * width - 0.4 + width / 2, vals, width, yerr=err, capsize=2, label=label)
        if "published_value" in sub:
            pub = np.array([sub["published_value"].get(s, np.nan) for s in splits], dtype=float)
            ax.scatter(x + k * width - 0.4 + width / 2, pub, marker="_", s=120, color="black", zorder=3)
    metric = str(table["metric"].iloc[0]) if len(table) else ""
    if metric.startswith("roc_auc"):
        ax.axhline(0.5, ls="--", lw=0.8, color="grey")
    ax.set_xticks(x, splits, rotation=20, ha="right", fontsize=8)
    ax.set(ylabel=metric, title=title)
    ax.legend(fontsize=7, ncol=2, loc="best")
    return _png(fig)


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown that embeds `png` inline (data URI), for MetadataValue.md in the asset."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def render_plots(head: pd.DataFrame, curves: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    """The leaderboard's figures: `bars_{task}` (the `leaderboard.headline` rows, with CIs and published
    ticks) and `roc_{task}_{split}` (every model's curve on that split), as PNG bytes by name."""
    pngs: dict[str, bytes] = {}
    for task, rows in head.groupby("task", sort=True):
        # one bar per model: its best score on the split (the score names are in the leaderboard table)
        rows = rows.assign(score="", status="ok", metric=rows["metric"].iloc[0])
        pngs[f"bars_{task}"] = bar_chart_png(rows, f"{task}: best score per model", metric=None)
    for task, table in curves.items():
        for split, c in table.groupby("split", sort=True):
            pngs[f"roc_{task}_{str(split).replace('/', '_')}"] = roc_curves_png(c, f"{task} / {split}")
    return pngs
