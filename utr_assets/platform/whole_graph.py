"""Run the whole graph outside the UI (the `utr-assets demo` command and integration tests).

Unpartitioned assets run in one pass; each partitioned asset group runs once per partition key,
in topological order, against the persistent instance in ``DAGSTER_HOME`` so the UI shows them.
Each run reports its steps as they finish (materialise.run_selection). The caller passes the
`Definitions` (the CLI and the tests build them from their settings): this module never imports
`utr_assets.definitions`, which sits above the platform.
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import DagsterInstance, Definitions, PartitionsDefinition


def _sync_model_partitions(instance: DagsterInstance, defs: Definitions) -> None:
    """Add every registry slug as a `model` partition (the registry sensor does this in the UI)."""
    from utr_assets.model_registry import load_registry
    from utr_assets.platform.partitions import MODEL_PARTITIONS
    from utr_assets.platform.resources import defs_settings

    existing = set(instance.get_dynamic_partitions(MODEL_PARTITIONS))
    missing = [slug for slug in load_registry(defs_settings(defs).registry) if slug not in existing]
    if missing:
        instance.add_dynamic_partitions(MODEL_PARTITIONS, missing)


def materialise_everything(
    defs: Definitions,
    log: Callable[[str], None] = print,
    instance: DagsterInstance | None = None,
    timings: list[tuple[str, str, float]] | None = None,
) -> list[str]:
    """Materialise every asset of ``defs`` (the caller builds them: `build_definitions(settings)`);
    returns the labels of failed runs. ``timings`` (when given) receives (step, partition, seconds) of
    every successful step."""
    instance = instance or DagsterInstance.get()
    from utr_assets.platform.materialise import Run, run_selection

    graph = defs.resolve_asset_graph()
    failures: list[str] = []
    _sync_model_partitions(instance, defs)
    # consecutive runs of the toposort sharing a partitioning
    stages: list[tuple[PartitionsDefinition | None, list]] = []
    for key in graph.toposorted_asset_keys:
        node = graph.get(key)
        if not node.is_materializable:
            continue
        if stages and stages[-1][0] == node.partitions_def:
            stages[-1][1].append(key)
        else:
            stages.append((node.partitions_def, [key]))
    for partitions_def, keys in stages:
        partition_keys = (
            [None]
            if partitions_def is None
            else partitions_def.get_partition_keys(dynamic_partitions_store=instance)
        )
        for partition_key in partition_keys:
            run = Run(tuple(keys), partition_key)
            # one line per step as it finishes (with its duration), asset log and progress lines between
            if not run_selection(defs, run, instance, log, timings):
                failures.append(run.label)
    return failures
