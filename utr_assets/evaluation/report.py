"""The leaderboard as one self-contained HTML page to share: no scripts, no network, images inline.

What belongs here: `build_report` (leaderboard table + ROC curve points -> HTML) and `write_report`
(atomic write). The figures come from `plots.render_plots`; the leaderboard asset and the
`utr-assets report` command both call this module. No Dagster here.

The page holds, in this order: the headline (best value per model and task/split), then per task its
bar chart, its ROC curves (tasks with AUCs), and the table of every row (our value, CI, the study's
published value and model, the checkpoint); then the not-applicable rows with their reasons; then the
settings (JSON) and package versions the leaderboard came from.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.evaluation.leaderboard import headline, headline_pivot
from utr_assets.evaluation.plots import png_data_uri, render_plots

TASK_TITLES = {
    "rbp_motifs": "Task 1 - RBP binding motifs",
    "variant_effects": "Task 2 - variant effects",
    "mpra": "Task 3 - MPRA expression",
    "half_life": "Task 4 - mRNA half-life",
}
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;
     color:#1d2125;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px} h2{border-bottom:2px solid #d8dde3;padding-bottom:4px;margin-top:36px}
.meta{color:#5a6570;font-size:.9em}
table{border-collapse:collapse;font-size:.85em;margin:10px 0 18px} th,td{padding:4px 9px;border-bottom:1px solid #e4e8ec}
th{background:#f3f5f7;text-align:left;position:sticky;top:0} td.num{text-align:right;font-variant-numeric:tabular-nums}
td.ckpt{max-width:280px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;color:#5a6570}
.figs{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start} .figs img{max-width:100%;border:1px solid #e4e8ec}
details pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:.8em}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _num(value: Any, digits: int = 3) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if not np.isfinite(v) else f"{v:.{digits}f}"


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{_esc(alt)}" src="{png_data_uri(png)}">'


def _task_table(rows: pd.DataFrame, names: Mapping[str, str]) -> str:
    rows = rows.sort_values(["split", "score", "value"], ascending=[True, True, False], kind="stable")
    head = (
        "<tr><th>split</th><th>model</th><th>score</th><th>metric</th><th>value</th><th>95% CI</th><th>n</th>"
        "<th>published</th><th>study model</th><th>checkpoint</th></tr>"
    )
    body = []
    for r in rows.itertuples(index=False):
        ci = f"[{_num(r.ci_low)}, {_num(r.ci_high)}]" if _num(r.ci_low) else ""
        n = "" if pd.isna(r.n) else str(int(r.n))
        body.append(
            f"<tr><td>{_esc(r.split)}</td><td>{_esc(names.get(r.model, r.model))}</td><td>{_esc(r.score)}</td>"
            f"<td>{_esc(r.metric)}</td><td class=num>{_num(r.value)}</td><td class=num>{ci}</td>"
            f"<td class=num>{n}</td><td class=num>{_num(r.published_value)}</td>"
            f"<td>{_esc(r.published_model)}</td>"
            f'<td class=ckpt title="{_esc(r.checkpoint)}">{_esc(r.checkpoint)}</td></tr>'
        )
    return f"<table>{head}{''.join(body)}</table>"


def _frame_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class=num>{_num(v)}</td>" if isinstance(v, float | np.floating) else f"<td>{_esc(v)}</td>"
            for v in row
        )
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def build_report(
    table: pd.DataFrame,
    curves: Mapping[str, pd.DataFrame],
    *,
    names: Mapping[str, str] | None = None,
    settings: Mapping[str, Any] | None = None,
    versions: Mapping[str, str] | None = None,
    source: str = "",
    generated: datetime | None = None,
    plots: Mapping[str, bytes] | None = None,
) -> str:
    """The HTML page of leaderboard `table` (LEADERBOARD_COLUMNS) and ROC curve points per task (`plots`:
    render_plots' figures when the caller has them already)."""
    names = dict(names or {})
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    head = headline(table)
    plots = plots if plots is not None else render_plots(head, dict(curves), names)
    parts = [
        f"<h1>utr-assets leaderboard</h1><p class=meta>{len(table)} rows, {table['model'].nunique()} models; "
        f"generated {when}" + (f" from <code>{_esc(source)}</code>" if source else "") + ". Bars: the best "
        "score per model (95% CI as error bars; black ticks: the study's published value, Vilov &amp; Heinig "
        "2025). AUC for tasks 1-2, Pearson r for tasks 3-4.</p>"
    ]
    pivot = headline_pivot(table)
    if len(pivot):
        pivot = (
            pivot.T.rename(columns=lambda m: names.get(m, m))
            .reset_index()
            .rename(columns={"column": "task:split"})
        )
        parts.append("<h2>Headline: best value per model</h2>" + _frame_table(pivot))
    ok = table[table["status"] == "ok"]
    for task in [t for t in TASK_TITLES if t in set(ok["task"])] + sorted(set(ok["task"]) - set(TASK_TITLES)):
        figs = [_img(plots[f"bars_{task}"], f"{task} bar chart")] if f"bars_{task}" in plots else []
        figs += [_img(png, key) for key, png in sorted(plots.items()) if key.startswith(f"roc_{task}_")]
        parts.append(
            f"<h2>{_esc(TASK_TITLES.get(task, task))}</h2><div class=figs>{''.join(figs)}</div>"
            + _task_table(ok[ok["task"] == task], names)
        )
    na = table[table["status"] != "ok"]
    if len(na):
        na = na.assign(model=na["model"].map(lambda m: names.get(m, m)))[["model", "task", "split", "reason"]]
        parts.append("<h2>Not applicable</h2>" + _frame_table(na))
    parts.append("<h2>Provenance</h2>")
    if versions:
        parts.append(_frame_table(pd.DataFrame(sorted(versions.items()), columns=["package", "version"])))
    if settings is not None:
        parts.append(
            "<details><summary>settings</summary><pre>"
            + _esc(json.dumps(settings, indent=2, sort_keys=True, default=str))
            + "</pre></details>"
        )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>utr-assets leaderboard</title>"
        f"<meta name=viewport content='width=device-width, initial-scale=1'><style>{_CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def headline_markdown(head: pd.DataFrame, names: Mapping[str, str] | None = None) -> str:
    """A narrow headline for the asset's metadata: per task and split the best model, its value and CI,
    the runner-up, and how many models were ranked (the full table is in the report)."""
    names = dict(names or {})
    rows = []
    for (task, split), g in head.groupby(["task", "split"], sort=True):
        g = g.sort_values("value", ascending=False, kind="stable")
        best = g.iloc[0]
        second = g.iloc[1] if len(g) > 1 else None
        rows.append(
            {
                "task / split": f"{task} / {split}",
                "best": names.get(best.model, best.model),
                "value [95% CI]": f"{_num(best.value)} [{_num(best.ci_low)}, {_num(best.ci_high)}]",
                "runner-up": ""
                if second is None
                else f"{names.get(second.model, second.model)} {_num(second.value)}",
                "models": len(g),
            }
        )
    return pd.DataFrame(rows).to_markdown(index=False) if rows else "no rows"


def write_report(page: str, out_dir: str | Path, name: str = "leaderboard.html") -> Path:
    """Write `page` to `out_dir/name` atomically (a temporary file renamed over it)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    final = out / name
    tmp = out / f".{name}.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(final)
    return final
