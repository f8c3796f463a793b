"""Dagster asset of the leaderboard (group `leaderboard`): every model partition of the four task metric
assets stacked into one tidy table, with its plots, the shareable HTML page and its checks.

What belongs here: the asset, what it writes to the artifact store (`{root}/leaderboard/*.png`,
`leaderboard.html`), its metadata, and `read_curves` (the ROC curve points the metric assets stored at
`{root}/roc_curves/{task}/{model}.parquet`, also read by `utr-assets report`). Not here: the table's
rules (`utr_assets.evaluation.leaderboard`), the plots and the page (`evaluation.plots`, `evaluation.report`),
the per-model metric assets (`evaluation.py`).
"""

import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pandas as pd
from dagster import (
    AllPartitionMapping,
    AssetCheckResult,
    AssetExecutionContext,
    AssetIn,
    MetadataValue,
    Output,
    asset,
)

from utr_assets.evaluation.leaderboard import (
    build_leaderboard,
    check_metric_ranges,
    check_models_present,
    check_schema,
    headline,
)
from utr_assets.evaluation.plots import ROC_COLUMNS, markdown_image, render_plots
from utr_assets.evaluation.report import build_report, headline_markdown
from utr_assets.model_registry import ModelEntry, load_registry
from utr_assets.platform.artifacts import ArtifactStore, ArtifactStoreResource
from utr_assets.platform.provenance import package_versions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.platform.resources import SettingsResource

TASK_METRIC_ASSETS = {
    "rbp_motifs": "rbp_motif_metrics",
    "variant_effects": "variant_effect_metrics",
    "mpra": "mpra_metrics",
    "half_life": "half_life_metrics",
}
CURVE_TASKS = ("rbp_motifs", "variant_effects")  # the tasks whose metric assets store ROC curve points
LEADERBOARD_CHECKS = {
    "metrics_in_range": "Every value inside its range, with a CI that contains it.",
    "schema": "Columns as LEADERBOARD_COLUMNS (probability_mode included); known modes only.",
    "every_model_present": "Every registered model has rows (or a not-applicable row) per task.",
}
_ALL_MODELS = AssetIn(partition_mapping=AllPartitionMapping(), metadata={"allow_missing_partitions": True})


@asset(
    group_name="leaderboard",
    code_version="1",
    check_specs=named_check_specs("leaderboard", LEADERBOARD_CHECKS),
    ins={name: _ALL_MODELS for name in TASK_METRIC_ASSETS.values()},
    description="All models x all tasks in one tidy table, the study's published values alongside, bar charts "
    "with CIs per task and ROC curves per split (PNG files, embedded in the metadata).",
)
def leaderboard(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    rbp_motif_metrics,
    variant_effect_metrics,
    mpra_metrics,
    half_life_metrics,
):
    store, registry = artifact_store.get_store(), load_registry(settings.get().registry)
    per_task = [rbp_motif_metrics, variant_effect_metrics, mpra_metrics, half_life_metrics]
    frames = [t for tables in per_task for slug, t in _by_model(tables).items() if slug in registry]
    table = build_leaderboard(frames)
    curves = {task: read_curves(store, task, registry) for task in CURVE_TASKS}
    head, names = headline(table), {slug: e.display_name or slug for slug, e in registry.items()}
    plots = render_plots(head, curves, names)
    page = build_report(
        table,
        curves,
        names=names,
        settings=settings.get().model_dump(mode="json"),
        versions=package_versions(),
        source=f"run {context.run_id}",
        plots=plots,
    )
    report = store.write_bytes(store.path("leaderboard", "leaderboard.html"), page.encode("utf-8"))
    metadata: dict[str, Any] = {
        "rows": len(table),
        "models": table.model.nunique(),
        "headline": MetadataValue.md(headline_markdown(head, names)),
        "report": MetadataValue.path(report.uri),
    }  # the shareable HTML page (evaluation/report.py)
    metadata |= _plot_metadata(store, plots)
    for row in head.itertuples(index=False):  # numeric metadata the UI charts over runs
        metadata[f"{row.task}/{row.split}/{row.model}"] = float(row.value)
    yield Output(table, metadata=metadata)
    yield from _leaderboard_checks(table, registry)


def _plot_metadata(store: ArtifactStore, plots: Mapping[str, bytes]) -> dict[str, Any]:
    """Each plot written as `{root}/leaderboard/{name}.png` and embedded inline, with its URI beneath."""
    metadata: dict[str, Any] = {}
    for name, png in plots.items():
        handle = store.write_bytes(store.path("leaderboard", f"{name}.png"), png)
        metadata[f"plot_{name}"] = MetadataValue.md(markdown_image(png, name) + f"\n\n{handle.uri}")
    return metadata


def _leaderboard_checks(
    table: pd.DataFrame, registry: Mapping[str, ModelEntry]
) -> Iterator[AssetCheckResult]:
    ranges_ok, bad = check_metric_ranges(table)
    yield plain_check(
        "leaderboard",
        "metrics_in_range",
        ranges_ok,
        {"bad_rows": MetadataValue.md(bad.head(10).to_markdown(index=False)) if len(bad) else "none"},
    )
    present, missing = check_models_present(table, registry, TASK_METRIC_ASSETS)
    yield plain_check(
        "leaderboard", "every_model_present", present, {"missing": ", ".join(missing) or "none"}
    )
    schema_ok, problems = check_schema(table)
    yield plain_check("leaderboard", "schema", schema_ok, {"problems": "; ".join(problems) or "none"})


def read_curves(store: ArtifactStore, task: str, models: Iterable[str]) -> pd.DataFrame:
    """The ROC curve points the task's metric assets wrote, for the given models (missing ones skipped)."""
    frames = []
    for slug in models:
        path = store.path("roc_curves", task, f"{slug}.parquet")
        if path.exists():
            frames.append(pd.read_parquet(io.BytesIO(path.read_bytes())))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ROC_COLUMNS)


def _by_model(loaded) -> dict[str, pd.DataFrame]:
    """Partition key -> table: the IO manager gives a dict for several partitions, the table itself for one."""
    if isinstance(loaded, pd.DataFrame):
        return {str(model): table for model, table in loaded.groupby("model", sort=True)}
    return dict(loaded)
