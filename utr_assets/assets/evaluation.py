"""Dagster assets of the benchmark tasks: the task datasets (unpartitioned), the per-model task
metrics (`*_metrics`, partitioned by model) and the leaderboard (all model partitions). Bodies are
glue over `datasets.py`, `evaluate.py`, `leaderboard.py` and `plots.py`. ROC curve points are
parquet files at `{root}/roc_curves/{task}/{model}.parquet`; leaderboard plots at `{root}/leaderboard/`."""

import io

import numpy as np
import pandas as pd
from dagster import AllPartitionMapping, AssetExecutionContext, AssetIn, MetadataValue, Output, asset

from utr_assets.assets.evaluation_checks import HALF_LIFE_CHECKS, MPRA_CHECKS, RBP_CHECKS, VARIANT_CHECKS
from utr_assets.common.progress import report_to
from utr_assets.evaluation import evaluate
from utr_assets.evaluation.evaluate import Protocol
from utr_assets.evaluation.leaderboard import (
    build_leaderboard,
    check_metric_ranges,
    check_models_present,
    check_schema,
    headline,
)
from utr_assets.evaluation.plots import ROC_COLUMNS, markdown_image, render_plots
from utr_assets.evaluation.report import build_report, headline_markdown
from utr_assets.model_registry import load_registry
from utr_assets.platform.artifacts import ArtifactStore, ArtifactStoreResource
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.provenance import package_versions
from utr_assets.platform.quality import check_specs, named_check_specs, plain_check, run_quality_checks
from utr_assets.platform.resources import SettingsResource
from utr_assets.scoring.storage import read_embeddings, read_per_base_shards
from utr_assets.tasks import datasets

TASKS = "tasks"


def _scalars(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if isinstance(v, int | float | str)}


@asset(
    group_name=TASKS,
    code_version="1",
    check_specs=check_specs("rbp_motif_instances", RBP_CHECKS),
    description="RBP motif instances in 3'UTRs: positives inside eCLIP peaks of the RBP, 5-mer-matched "
    "seeded negatives outside all peaks, PhyloP top/bottom 10% flags (docs/protocol.md §5 task 1).",
)
def rbp_motif_instances(
    context: AssetExecutionContext, settings: SettingsResource, utr3_regions: pd.DataFrame
):
    table, summary = datasets.rbp_motif_dataset(settings.get().tasks, utr3_regions)
    yield Output(table, metadata=_scalars(summary))
    yield from run_quality_checks("rbp_motif_instances", table, RBP_CHECKS)


@asset(
    group_name=TASKS,
    code_version="1",
    check_specs=check_specs("variant_sets", VARIANT_CHECKS),
    description="3'UTR SNVs in four splits (ClinVar, gnomAD singletons, eQTL SuSiE, CADD) vs their own "
    "seeded negatives; overlap between splits in metadata (docs/protocol.md §5 task 2).",
)
def variant_sets(context: AssetExecutionContext, settings: SettingsResource, utr3_regions: pd.DataFrame):
    table, overlap, summary = datasets.variant_dataset(settings.get().tasks, utr3_regions)
    yield Output(
        table,
        metadata=_scalars(summary)
        | {
            "negative_overlap": MetadataValue.md(overlap.to_markdown(index=False)),
            "sources": MetadataValue.md(summary["report"].to_markdown(index=False)),
        },
    )
    yield from run_quality_checks("variant_sets", table, VARIANT_CHECKS)


@asset(
    group_name=TASKS,
    code_version="1",
    check_specs=check_specs("mpra_datasets", MPRA_CHECKS),
    description="MPRA oligos (Griesemer 2021, Siegel 2022) with values per cell line/target and CV groups.",
)
def mpra_datasets(context: AssetExecutionContext, settings: SettingsResource, utr3_regions: pd.DataFrame):
    table, summary = datasets.mpra_dataset(settings.get().tasks, utr3_regions)
    yield Output(table, metadata=_scalars(summary) | {"studies": ", ".join(summary["studies"])})
    yield from run_quality_checks("mpra_datasets", table, MPRA_CHECKS)


@asset(
    group_name=TASKS,
    code_version="1",
    check_specs=check_specs("half_life_dataset", HALF_LIFE_CHECKS),
    description="Agarwal & Kelley 2022 half-life (PC1) per gene with its canonical 3'UTR and given fold.",
)
def half_life_dataset(context: AssetExecutionContext, settings: SettingsResource, utr3_regions: pd.DataFrame):
    table, summary = datasets.half_life_dataset(settings.get().tasks, utr3_regions)
    yield Output(table, metadata=_scalars(summary))
    yield from run_quality_checks("half_life_dataset", table, HALF_LIFE_CHECKS)


# ---- per-model task metrics (partitioned by model) and the leaderboard --------------------------------

METRICS = "benchmarks"
METRIC_CHECKS = {
    "metrics_in_range": "AUCs in [0, 1], r in [-1, 1], CIs present and containing the value.",
    "folds_have_both_classes": "Every AUC row was computed on both classes (no empty class).",
}


def _protocol(settings: SettingsResource) -> Protocol:
    b = settings.get().benchmarks
    return Protocol(
        n_boot=b.n_boot,
        seed=b.seed,
        mlp_outer_folds=b.mlp_outer_folds,
        mlp_inner_folds=b.mlp_inner_folds,
        mlp_grid={"hidden_layer_sizes": [tuple(h) for h in b.mlp_hidden_layers], "alpha": list(b.mlp_alphas)},
        mpra_outer_folds=b.mpra_outer_folds,
        mpra_probes=tuple(b.mpra_probes),
        half_life_probes=tuple(b.half_life_probes),
        svr_grid={
            "C": list(b.svr_c),
            "epsilon": list(b.svr_epsilon),
            "gamma_factor": list(b.svr_gamma_factor),
        },
    )


def _checkpoint_ref(model_checkpoint: dict) -> str:
    """What a leaderboard row came from: the checkpoint's URI and sha256, or the model's kind."""
    handle = model_checkpoint.get("checkpoint")
    return (
        f"{handle['uri']}#sha256={handle['sha256']}"
        if handle
        else str(model_checkpoint.get("reason", "baseline"))
    )


def _emit_metrics(
    context: AssetExecutionContext,
    artifact_store: ArtifactStoreResource,
    name: str,
    task: str,
    table: pd.DataFrame,
    curves: pd.DataFrame | None,
    model_checkpoint: dict,
):
    slug = context.partition_key
    table = table.assign(checkpoint=_checkpoint_ref(model_checkpoint))
    metadata: dict = {"rows": len(table), "not_applicable": int((table.status != "ok").sum())}
    ok = table[table.status == "ok"]
    if len(ok):
        best = ok.sort_values("value", ascending=False).iloc[0]
        metadata |= {
            "best_value": float(best.value),
            "best": f"{best.split} {best.score} {best.metric}",
            "metrics": MetadataValue.md(
                ok[["split", "score", "metric", "value", "ci_low", "ci_high", "n"]]
                .round(4)
                .to_markdown(index=False)
            ),
        }
    if curves is not None:
        store = artifact_store.get_store()
        handle = store.write_bytes(
            store.path("roc_curves", task, f"{slug}.parquet"), curves.to_parquet(index=False)
        )
        metadata["roc_curves"] = handle.uri
    yield Output(table, metadata=metadata)
    ranges_ok, bad = check_metric_ranges(table)
    yield plain_check(name, "metrics_in_range", ranges_ok, {"bad_rows": len(bad)})
    auc = ok[ok.metric.str.startswith("roc_auc")]
    classes_ok = bool(((auc.n_pos > 0) & (auc.n_neg > 0)).all())
    yield plain_check(name, "folds_have_both_classes", classes_ok, {"auc_rows": len(auc)})


def _per_base(handle: dict) -> tuple[str | None, dict | None]:
    if not handle.get("applicable"):
        return None, None
    return handle["kind"], read_per_base_shards(handle["shards"])


def _embeddings(handle: dict) -> tuple[list[str] | None, np.ndarray | None]:
    if not handle.get("applicable"):
        return None, None
    return read_embeddings(handle["embeddings"]["uri"])


_METRIC_ASSET = {"group_name": METRICS, "partitions_def": model_partitions, "code_version": "1"}


@asset(
    **_METRIC_ASSET,
    check_specs=named_check_specs("rbp_motif_metrics", METRIC_CHECKS),
    description="Task 1: ROC AUC (bootstrap CI) of the motif-instance score on all motifs and the top/bottom-"
    "10% PhyloP positives; ROC curve points in the artifact store.",
)
def rbp_motif_metrics(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    rbp_motif_instances: pd.DataFrame,
    utr3_regions: pd.DataFrame,
    utr3_base_probabilities: dict,
    model_checkpoint: dict,
):
    kind, arrays = _per_base(utr3_base_probabilities)
    sequences = dict(zip(utr3_regions.utr_id, utr3_regions.sequence, strict=True))
    table, curves = evaluate.rbp_motif_metrics(
        context.partition_key,
        rbp_motif_instances,
        arrays,
        kind,
        sequences,
        _protocol(settings),
        utr3_base_probabilities.get("probability_mode", ""),
    )
    yield from _emit_metrics(
        context, artifact_store, "rbp_motif_metrics", "rbp_motifs", table, curves, model_checkpoint
    )


@asset(
    **_METRIC_ASSET,
    check_specs=named_check_specs("variant_effect_metrics", METRIC_CHECKS),
    description="Task 2: zero-shot AUCs (raw and flipped) of every variant score per split, and the MLP probe "
    "on [ref || alt] embeddings with gene-grouped and ungrouped outer CV.",
)
def variant_effect_metrics(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    variant_sets: pd.DataFrame,
    variant_scores: pd.DataFrame,
    variant_embeddings: dict,
    model_checkpoint: dict,
):
    embeddings = None
    if variant_embeddings.get("applicable"):
        ids, ref = read_embeddings(variant_embeddings["ref"]["uri"])
        alt_ids, alt = read_embeddings(variant_embeddings["alt"]["uri"])
        if ids != alt_ids:
            raise ValueError(
                f"{context.partition_key}: ref and alt variant embeddings name different variants"
            )
        embeddings = (ids, ref, alt)
    with report_to(context.log):  # MLP probe folds
        table, curves = evaluate.variant_effect_metrics(
            context.partition_key, variant_sets, variant_scores, embeddings, _protocol(settings)
        )
    yield from _emit_metrics(
        context, artifact_store, "variant_effect_metrics", "variant_effects", table, curves, model_checkpoint
    )


@asset(
    **_METRIC_ASSET,
    check_specs=named_check_specs("mpra_metrics", METRIC_CHECKS),
    description="Task 3: Pearson r (Fisher CI) of Ridge and RBF-SVR on the oligo embeddings, per cell line and "
    "target; Griesemer leave-one-gene-group-out, Siegel leave-one-chromosome-out.",
)
def mpra_metrics(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    mpra_datasets: pd.DataFrame,
    mpra_embeddings: dict,
    model_checkpoint: dict,
):
    ids, matrix = _embeddings(mpra_embeddings)
    with report_to(context.log):  # probe folds
        table = evaluate.mpra_metrics(context.partition_key, mpra_datasets, ids, matrix, _protocol(settings))
    yield from _emit_metrics(context, artifact_store, "mpra_metrics", "mpra", table, None, model_checkpoint)


@asset(
    **_METRIC_ASSET,
    check_specs=named_check_specs("half_life_metrics", METRIC_CHECKS),
    description="Task 4: Pearson r of Ridge and RBF-SVR on the 3'UTR embeddings over the 10 given gene folds.",
)
def half_life_metrics(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    half_life_dataset: pd.DataFrame,
    utr3_embeddings: dict,
    model_checkpoint: dict,
):
    ids, matrix = _embeddings(utr3_embeddings)
    with report_to(context.log):  # probe folds
        table = evaluate.half_life_metrics(
            context.partition_key, half_life_dataset, ids, matrix, _protocol(settings)
        )
    yield from _emit_metrics(
        context, artifact_store, "half_life_metrics", "half_life", table, None, model_checkpoint
    )


TASK_METRIC_ASSETS = {
    "rbp_motifs": "rbp_motif_metrics",
    "variant_effects": "variant_effect_metrics",
    "mpra": "mpra_metrics",
    "half_life": "half_life_metrics",
}
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
    curves = {task: read_curves(store, task, registry) for task in ("rbp_motifs", "variant_effects")}
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
    metadata: dict = {
        "rows": len(table),
        "models": table.model.nunique(),
        "headline": MetadataValue.md(headline_markdown(head, names)),
        "report": MetadataValue.path(report.uri),
    }  # the shareable HTML page (speed_benchmarks/report.py)
    for name, png in plots.items():
        handle = store.write_bytes(store.path("leaderboard", f"{name}.png"), png)
        metadata[f"plot_{name}"] = MetadataValue.md(markdown_image(png, name) + f"\n\n{handle.uri}")
    for row in head.itertuples(index=False):  # numeric metadata the UI charts over runs
        metadata[f"{row.task}/{row.split}/{row.model}"] = float(row.value)
    yield Output(table, metadata=metadata)
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


def read_curves(store: ArtifactStore, task: str, models) -> pd.DataFrame:
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
