"""The leaderboard: one tidy table over all model partitions and tasks, the study's published values
(Vilov & Heinig 2025, docs/protocol.md §5) as a reference column, and the checks on it. Plots are in `plots`.

Columns (LEADERBOARD_COLUMNS): model, task, split, score, metric, value, ci_low, ci_high, n,
published_value, published_model, status ("ok" | "not_applicable"), reason, checkpoint (the
checkpoint URI and sha256 a row came from, or why there is none), probability_mode (the mode of the
model probabilities behind the row's score: masked | unmasked | reference_aware; "" for embeddings,
probes and non-model scores).
Task names: rbp_motifs, variant_effects, mpra, half_life. Splits: rbp_motifs all/top10_phylop/
bottom10_phylop; variant_effects clinvar/gnomad_singletons/eqtl/cadd; mpra "{cell_line}/{target}";
half_life all. A published value matches on model, task, split, metric and, when the study names
one, the score (zero-shot variant values are the study's flipped AUCs: metric roc_auc_flipped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.evaluation.metrics import METRIC_COLUMNS
from utr_assets.evaluation.protocol import not_applicable_row

LEADERBOARD_COLUMNS = [
    "model",
    "task",
    "split",
    "score",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "published_value",
    "published_model",
    "status",
    "reason",
    "checkpoint",
    "probability_mode",
]
# the metric each task's headline (and its bar chart) reports; variant effects: zero-shot flipped AUC
# and the gene-grouped MLP's AUC compete for the best score of a model.
HEADLINE = {
    "rbp_motifs": ("roc_auc", None),
    "variant_effects": ("roc_auc_flipped", "mlp_grouped"),
    "mpra": ("pearson_r", None),
    "half_life": ("pearson_r", None),
}

# study model name -> registry slug (data/models.yaml); names the registry lacks map to None.
STUDY_MODELS = {
    "NT-3UTR": "nt-3utr",
    "STSP-3UTR": "stsp-3utr",
    "DNABERT-3UTR": "dnabert-3utr",
    "DNABERT2-3UTR": "dnabert2-3utr",
    "DNABERT": "dnabert-6",
    "NT-MS": "nt-v2-100m-ms",
    "PhyloP-241": "phylop",
    "CADD": "cadd",
    "Zoo-AL": "zoo-al",
    "5-mers": "kmer-counts",
    "3'UTR k-mers": "kmer-counts",
    "Griesemer features": "griesemer-features",
    "Saluki": None,
}

# (study model, task, split, score or None = any, metric, value); docs/protocol.md §5.
PUBLISHED: list[tuple[str, str, str, str | None, str, float]] = [
    ("NT-3UTR", "rbp_motifs", "all", None, "roc_auc", 0.703),
    ("STSP-3UTR", "rbp_motifs", "all", None, "roc_auc", 0.649),
    ("DNABERT-3UTR", "rbp_motifs", "all", None, "roc_auc", 0.629),
    ("DNABERT", "rbp_motifs", "all", None, "roc_auc", 0.595),
    ("NT-MS", "rbp_motifs", "all", None, "roc_auc", 0.603),
    ("PhyloP-241", "rbp_motifs", "all", None, "roc_auc", 0.649),
    ("CADD", "rbp_motifs", "all", None, "roc_auc", 0.665),
    ("Zoo-AL", "rbp_motifs", "all", None, "roc_auc", 0.567),
    ("PhyloP-241", "rbp_motifs", "top10_phylop", None, "roc_auc", 0.972),
    ("PhyloP-241", "rbp_motifs", "bottom10_phylop", None, "roc_auc", 0.136),
    ("CADD", "variant_effects", "clinvar", None, "roc_auc_flipped", 0.976),
    ("Zoo-AL", "variant_effects", "cadd", "pratio", "roc_auc_flipped", 0.951),
    ("NT-3UTR", "variant_effects", "cadd", "pratio", "roc_auc_flipped", 0.728),
    # the study's "DNABERT2-ZOO" is the DNABERT-2 trained on the Zoonomia 3'UTRs
    ("DNABERT2-3UTR", "variant_effects", "eqtl", "mlp_ungrouped", "roc_auc", 0.831),
    ("DNABERT-3UTR", "mpra", "HMEC/log2fc", "ridge", "pearson_r", 0.51),
    ("Griesemer features", "mpra", "HMEC/log2fc", "ridge", "pearson_r", 0.41),
    ("DNABERT-3UTR", "mpra", "Beas2B/stability", "ridge", "pearson_r", 0.54),
    ("5-mers", "mpra", "Beas2B/stability", "ridge", "pearson_r", 0.46),
    ("DNABERT2-3UTR", "half_life", "all", "svr", "pearson_r", 0.45),
    ("NT-3UTR", "half_life", "all", "svr", "pearson_r", 0.45),
    ("3'UTR k-mers", "half_life", "all", "svr", "pearson_r", 0.34),
    ("Saluki", "half_life", "all", None, "pearson_r", 0.77),
]


def published_values() -> pd.DataFrame:
    """The study's numbers: (published_model, model slug or None, task, split, score, metric, value)."""
    rows = [
        {
            "published_model": m,
            "model": STUDY_MODELS.get(m),
            "task": t,
            "split": s,
            "score": sc,
            "metric": me,
            "published_value": v,
        }
        for m, t, s, sc, me, v in PUBLISHED
    ]
    return pd.DataFrame(rows)


def build_leaderboard(
    metrics: Iterable[pd.DataFrame | list[dict[str, Any]]],
    not_applicable: Mapping[tuple[str, str], str] | None = None,
) -> pd.DataFrame:
    """Stack per-model/task metric tables, add published values and not-applicable markers.

    `not_applicable`: (model, task) -> reason (e.g. no per-base probabilities for a BPE model);
    each becomes one row with status "not_applicable" and NaN values.
    """
    frames = [pd.DataFrame(m) if isinstance(m, list) else m for m in metrics]
    frames = [f for f in frames if len(f)]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=METRIC_COLUMNS)
    for col, default in (("status", "ok"), ("reason", ""), ("checkpoint", ""), ("probability_mode", "")):
        table[col] = table[col].fillna(default) if col in table else default
    na_rows = [
        not_applicable_row(m, t, r) | {"probability_mode": ""}
        for (m, t), r in sorted((not_applicable or {}).items())
    ]
    if na_rows:
        table = pd.concat([table, pd.DataFrame(na_rows)], ignore_index=True)
    pub = published_values().dropna(subset=["model"])
    published, published_model = [], []
    for row in table.itertuples(index=False):
        hit = pub[
            (pub["model"] == row.model)
            & (pub["task"] == row.task)
            & (pub["split"] == row.split)
            & (pub["metric"] == row.metric)
            & (pub["score"].isna() | (pub["score"] == row.score))
        ]
        published.append(float(hit["published_value"].iloc[0]) if len(hit) else np.nan)
        published_model.append(str(hit["published_model"].iloc[0]) if len(hit) else "")
    table["published_value"], table["published_model"] = published, published_model
    table = table.sort_values(["task", "split", "metric", "model", "score"], kind="stable")
    return table[LEADERBOARD_COLUMNS].reset_index(drop=True)


def check_metric_ranges(table: pd.DataFrame, tol: float = 1e-9) -> tuple[bool, pd.DataFrame]:
    """AUCs in [0, 1], r in [-1, 1], each CI present (n > 3) and containing its value."""
    ok = table[table["status"] == "ok"]
    auc = ok["metric"].str.startswith("roc_auc")
    lo_b = np.where(auc, 0.0, -1.0)
    bad = (
        (ok["value"] < lo_b - tol)
        | (ok["value"] > 1.0 + tol)
        | ok["value"].isna()
        | ((ok["n"] > 3) & (ok["ci_low"].isna() | ok["ci_high"].isna()))
        | (ok["ci_low"] > ok["value"] + tol)
        | (ok["ci_high"] < ok["value"] - tol)
    )
    return (not bad.any()), ok[bad.to_numpy()]


PROBABILITY_MODES = ("masked", "unmasked", "reference_aware")


def check_schema(table: pd.DataFrame) -> tuple[bool, list[str]]:
    """The columns are LEADERBOARD_COLUMNS in order and probability_mode holds known modes ("" or masked,
    unmasked, reference_aware, several joined by "+"); returns the problems found."""
    problems = (
        []
        if list(table.columns) == LEADERBOARD_COLUMNS
        else [f"columns {list(table.columns)} are not {LEADERBOARD_COLUMNS}"]
    )
    if "probability_mode" in table:
        modes = {m for v in table["probability_mode"].fillna("").astype(str) if v for m in v.split("+")}
        problems += [f"unknown probability_mode {m!r}" for m in sorted(modes - set(PROBABILITY_MODES))]
    return (not problems), problems


def check_models_present(
    table: pd.DataFrame, models: Iterable[str], tasks: Iterable[str]
) -> tuple[bool, list[str]]:
    """Every (model, task) has metric rows or a not-applicable row; returns the missing pairs."""
    have = set(zip(table["model"], table["task"], strict=True))
    missing = [f"{m}/{t}" for m in models for t in tasks if (m, t) not in have]
    return (not missing), missing


def headline(table: pd.DataFrame) -> pd.DataFrame:
    """Per task, split and model the best row of the task's headline metric (HEADLINE)."""
    ok = table[table["status"] == "ok"]
    picked = []
    for task, (metric, also_score) in HEADLINE.items():
        rows = ok[
            (ok["task"] == task)
            & ((ok["metric"] == metric) | ((ok["score"] == also_score) & (ok["metric"] == "roc_auc")))
        ]
        rows = rows.dropna(subset=["value"])
        if len(rows):
            picked.append(rows.loc[rows.groupby(["split", "model"])["value"].idxmax()])
    cols = ["task", "split", "model", "score", "metric", "value", "ci_low", "ci_high", "published_value"]
    if not picked:
        return pd.DataFrame(columns=cols)
    return (
        pd.concat(picked)[cols]
        .sort_values(["task", "split", "value"], ascending=[True, True, False])
        .reset_index(drop=True)
    )


def headline_pivot(table: pd.DataFrame) -> pd.DataFrame:
    """Models x task/split of the headline values (what `utr-assets demo` prints)."""
    head = headline(table)
    if not len(head):
        return pd.DataFrame()
    head = head.assign(column=head["task"] + ":" + head["split"])
    return head.pivot_table(index="model", columns="column", values="value", aggfunc="max").round(3)
