"""Dagster assets of the task datasets (group `tasks`, unpartitioned): the inputs of the four benchmark
tasks, built from `utr3_regions` and the task sources (docs/protocol.md §5).

What belongs here: thin bodies over `utr_assets.tasks.datasets` that publish each table with its summary as
metadata and run its quality checks (declared in `evaluation_checks.py`). Not here: the dataset logic
(`utr_assets.tasks`), the per-model metrics (`evaluation.py`) or the leaderboard (`leaderboard.py`).
"""

from typing import Any

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from utr_assets.assets.evaluation_checks import HALF_LIFE_CHECKS, MPRA_CHECKS, RBP_CHECKS, VARIANT_CHECKS
from utr_assets.platform.quality import check_specs, run_quality_checks
from utr_assets.platform.resources import SettingsResource
from utr_assets.tasks import datasets

TASKS = "tasks"


def _scalars(summary: dict[str, Any]) -> dict[str, Any]:
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
