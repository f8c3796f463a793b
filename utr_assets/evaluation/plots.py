"""Leaderboard plots as PNG bytes (matplotlib, Agg backend; no display needed) and the Markdown
embed of a PNG as a base64 data URI (for asset metadata).

- ROC curves per split: `roc_curve_table` makes the thinned points of one (model, score) on one
  split; `roc_curves_png` draws all curves of one split.
- Bar charts per task: value with CI error bars per split and model, models sorted by value; the
  study's published value, where there is one, as a black tick.
Models appear under their display names (`names`: slug -> name, from the registry; slug otherwise);
legends sit beside the axes and `bbox_inches="tight"` keeps them inside the PNG.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be set first
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from utr_assets.evaluation.metrics import roc_auc_with_ci, roc_curve_points  # noqa: E402

ROC_COLUMNS = ["model", "task", "split", "score", "fpr", "tpr", "auc"]


def roc_curve_table(
    model: str, task: str, split: str, score: str, labels: Any, scores: Any, max_points: int = 200
) -> pd.DataFrame:
    fpr, tpr = roc_curve_points(labels, scores, max_points)
    auc = roc_auc_with_ci(labels, scores, n_boot=0)["value"]
    return pd.DataFrame(
        {"model": model, "task": task, "split": split, "score": score, "fpr": fpr, "tpr": tpr, "auc": auc}
    )[ROC_COLUMNS]


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _name(names: Mapping[str, str] | None, slug: str) -> str:
    return (names or {}).get(slug) or slug


def roc_curves_png(curves: pd.DataFrame, title: str, names: Mapping[str, str] | None = None) -> bytes:
    """One ROC plot: a line per (model, score) in `curves` (ROC_COLUMNS), legend (beside the axes, best AUC
    first) with the AUC."""
    fig, ax = plt.subplots(figsize=(5.0, 4.6))
    ax.plot([0, 1], [0, 1], ls="--", lw=0.8, color="grey")
    groups = sorted(curves.groupby(["model", "score"], sort=True), key=lambda g: -float(g[1]["auc"].iloc[0]))
    for (model, score), c in groups:
        ax.plot(
            c["fpr"],
            c["tpr"],
            lw=1.3,
            label=f"{_name(names, model)} {score} ({c['auc'].iloc[0]:.3f})".replace("  ", " "),
        )
    ax.set(
        xlabel="false positive rate", ylabel="true positive rate", title=title, xlim=(0, 1), ylim=(0, 1.01)
    )
    if groups:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, title="AUC")
    return _png(fig)


def bar_chart_png(
    table: pd.DataFrame, title: str, metric: str | None = None, names: Mapping[str, str] | None = None
) -> bytes:
    """Grouped bars: x = split, one bar per model/score label, highest value first within each split
    (legend: highest mean first; a model keeps its colour), CI as error bars, the study's published
    values as black ticks.

    `table`: leaderboard rows of one task (status ok); `metric` picks one (default: the first listed).
    """
    table = table[table["status"] == "ok"] if "status" in table else table
    if len(table):
        metric = metric or str(table["metric"].iloc[0])
        table = table[table["metric"] == metric].drop_duplicates(["model", "score", "split"])
    splits = sorted(table["split"].unique())
    table = table.assign(
        label=(table["model"].map(lambda m: _name(names, m)) + " " + table["score"].astype(str)).str.strip()
    )
    labels = list(table.groupby("label")["value"].mean().sort_values(ascending=False, kind="stable").index)
    width = 0.8 / max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 * len(splits) + 0.25 * len(labels) * len(splits)), 4.2))
    x = np.arange(len(splits))
    published_shown, palette = False, "tab10" if len(labels) <= 10 else "tab20"
    # within each split the bars run from the highest value to the lowest, centred on the split's tick
    slot: dict[tuple[str, str], float] = {}
    for split, rows in table.dropna(subset=["value"]).groupby("split", sort=True):
        ranked = rows.sort_values("value", ascending=False, kind="stable")["label"].tolist()
        for rank, label in enumerate(ranked):
            slot[(label, split)] = x[splits.index(split)] + (rank - (len(ranked) - 1) / 2) * width
    for label in labels:
        sub = table[table["label"] == label].set_index("split")
        pos = np.array([slot.get((label, s), np.nan) for s in splits], dtype=float)
        vals = np.array([sub["value"].get(s, np.nan) for s in splits], dtype=float)
        lo = np.array([sub["ci_low"].get(s, np.nan) for s in splits], dtype=float)
        hi = np.array([sub["ci_high"].get(s, np.nan) for s in splits], dtype=float)
        err = np.vstack([np.nan_to_num(vals - lo), np.nan_to_num(hi - vals)])
        # colour by name (the same model keeps its colour whatever its rank); tab20 beyond 10 models
        ax.bar(
            pos,
            vals,
            width,
            yerr=err,
            capsize=2,
            label=label,
            color=plt.get_cmap(palette)(sorted(labels).index(label) % 20),
        )
        if "published_value" in sub:
            pub = np.array([sub["published_value"].get(s, np.nan) for s in splits], dtype=float)
            ax.scatter(
                pos,
                pub,
                marker="_",
                s=160,
                linewidths=2,
                color="black",
                zorder=3,
                label="published (study)" if np.isfinite(pub).any() and not published_shown else None,
            )
            published_shown = published_shown or bool(np.isfinite(pub).any())
    metric = str(table["metric"].iloc[0]) if len(table) else ""
    if metric.startswith("roc_auc"):
        ax.axhline(0.5, ls="--", lw=0.8, color="grey")
    ax.set_xticks(x, splits, rotation=20, ha="right", fontsize=8)
    ax.set(ylabel=metric, title=title)
    if labels:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return _png(fig)


def png_data_uri(png: bytes) -> str:
    """`png` as a base64 data URI, to embed it in Markdown or HTML without a separate file."""
    return f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}"


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown that embeds `png` inline (data URI), for MetadataValue.md in the asset."""
    return f"![{alt}]({png_data_uri(png)})"


def render_plots(
    head: pd.DataFrame, curves: dict[str, pd.DataFrame], names: Mapping[str, str] | None = None
) -> dict[str, bytes]:
    """The leaderboard's figures: `bars_{task}` (the `leaderboard.headline` rows, with CIs and published
    ticks) and `roc_{task}_{split}` (every model's curve on that split), as PNG bytes by name."""
    pngs: dict[str, bytes] = {}
    for task, rows in head.groupby("task", sort=True):
        # one bar per model: its best score on the split (the score names are in the leaderboard table)
        rows = rows.assign(score="", status="ok", metric=rows["metric"].iloc[0])
        pngs[f"bars_{task}"] = bar_chart_png(rows, f"{task}: best score per model", metric=None, names=names)
    for task, table in curves.items():
        for split, c in table.groupby("split", sort=True):
            pngs[f"roc_{task}_{str(split).replace('/', '_')}"] = roc_curves_png(c, f"{task} / {split}", names)
    return pngs
