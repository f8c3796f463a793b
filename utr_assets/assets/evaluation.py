"""Dagster assets of the per-model task metrics (group `benchmarks`, partitioned by model): each model's
scoring outputs evaluated on the four tasks, ROC curve points stored at
`{root}/roc_curves/{task}/{model}.parquet`.

What belongs here: the four `*_metrics` assets, reading the scoring handles and the settings' evaluation
protocol, calling `utr_assets.evaluation.evaluate` and publishing the rows with their checks. Not here: the
metric rules (`utr_assets.evaluation`), the task datasets (`tasks.py`) or the leaderboard
(`leaderboard.py`). Those two modules' assets are re-exported at the end, so that the code location,
which loads this module, keeps loading the whole evaluation stage.
"""

from typing import Any

import numpy as np
import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from utr_assets.assets.leaderboard import TASK_METRIC_ASSETS, leaderboard, read_curves
from utr_assets.assets.tasks import half_life_dataset, mpra_datasets, rbp_motif_instances, variant_sets
from utr_assets.common.progress import report_to
from utr_assets.evaluation import evaluate
from utr_assets.evaluation.evaluate import Protocol
from utr_assets.evaluation.leaderboard import check_metric_ranges
from utr_assets.platform.artifacts import ArtifactStoreResource
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.platform.resources import SettingsResource
from utr_assets.scoring.storage import read_embeddings, read_per_base_shards

__all__ = [  # the assets of this stage, whichever module defines them
    "TASK_METRIC_ASSETS",
    "half_life_dataset",
    "half_life_metrics",
    "leaderboard",
    "mpra_datasets",
    "mpra_metrics",
    "rbp_motif_instances",
    "rbp_motif_metrics",
    "read_curves",
    "variant_effect_metrics",
    "variant_sets",
]

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


_METRIC_ASSET: dict[str, Any] = {
    "group_name": METRICS,
    "partitions_def": model_partitions,
    "code_version": "1",
}


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
