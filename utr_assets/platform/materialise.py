"""Materialise one asset (one partition) outside the UI, with whatever of its upstream is missing.

What belongs here: `plan_runs` (which (assets, partition) runs are needed, from the asset graph's
partition mappings and what the store holds), `run_selection` (one in-process run whose steps are
reported as they finish) and `materialise_asset` (the `utr-assets materialise` command). The whole-graph
demo run is `whole_graph.py`; both use `run_selection`.

"Missing" means the IO manager's file for that (asset, partition) is absent from the storage root
(`{root}/tables/...parquet` or `{root}/handles/...json`); the instance's records are not trusted for
this, since one DAGSTER_HOME can serve several storage roots. The target itself is always rebuilt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from dagster import AssetKey, AssetSelection, DagsterInstance, Definitions, define_asset_job, logger

from utr_assets.platform.artifacts import ArtifactStore
from utr_assets.platform.resources import defs_settings

Log = Callable[[str], None]
JOB = "__utr_assets_cli"


@dataclass(frozen=True)
class Run:
    """One run: these assets (topologically ordered) for one partition key (None: unpartitioned)."""

    keys: tuple[AssetKey, ...]
    partition: str | None

    @property
    def label(self) -> str:
        return ", ".join(k.to_user_string() for k in self.keys) + (
            f" [{self.partition}]" if self.partition else ""
        )


def output_exists(store: ArtifactStore, io_manager_key: str, key: AssetKey, partition: str | None) -> bool:
    """Whether the IO manager's file for (key, partition) is in the store (paths as in io_managers.py)."""
    folder, ext = ("handles", ".json") if io_manager_key == "handle_io_manager" else ("tables", ".parquet")
    parts = [folder, *key.path]
    if partition is None:
        parts[-1] += ext
    else:
        parts.append(partition + ext)
    return store.path(*parts).exists()


def _parent_partitions(graph, child: AssetKey, partition: str | None, parent: AssetKey) -> list[str | None]:
    if graph.get(parent).partitions_def is None:
        return [None]
    result = graph.get_parent_partition_keys_for_child(partition, parent, child)
    return sorted(result.partitions_subset.get_partition_keys())


def plan_runs(
    defs: Definitions,
    target: AssetKey,
    partition: str | None,
    instance: DagsterInstance,
    exists: Callable[[AssetKey, str | None], bool],
) -> list[Run]:
    """The runs that materialise `target[partition]` after every missing upstream (asset, partition)."""
    from dagster._core.definitions.partitions.context import partition_loading_context

    graph = defs.resolve_asset_graph()
    needed: set[tuple[AssetKey, str | None]] = {(target, partition)}
    frontier = [(target, partition)]
    with partition_loading_context(dynamic_partitions_store=instance):
        while frontier:
            key, part = frontier.pop()
            for parent in graph.get(key).parent_keys:
                if not graph.get(parent).is_materializable:
                    continue
                for parent_part in _parent_partitions(graph, key, part, parent):
                    pair = (parent, parent_part)
                    if pair not in needed and not exists(parent, parent_part):
                        needed.add(pair)
                        frontier.append(pair)
    # consecutive assets of the topological order that share a partitioning run together, per partition
    runs: list[Run] = []
    stage: list[AssetKey] = []

    def flush() -> None:
        partitions = sorted({p for k, p in needed if k in stage}, key=lambda p: p or "")
        for part in partitions:
            keys = tuple(k for k in stage if (k, part) in needed)
            runs.append(Run(keys, part))

    for key in graph.toposorted_asset_keys:
        if stage and graph.get(stage[-1]).partitions_def != graph.get(key).partitions_def:
            flush()
            stage = []
        if any(k == key for k, _ in needed):
            stage.append(key)
    flush()
    return runs


class _StepReporter(logging.Handler):
    """Turns the run's log records into lines: one per finished (or failed) step with its duration, and the
    messages asset code logs at INFO or above (progress lines among them)."""

    def __init__(self, log: Log, partition: str | None, timings: list[tuple[str, str, float]] | None):
        super().__init__(logging.DEBUG)
        self._log, self._partition, self._timings = log, partition or "", timings
        self.interrupted = False  # Ctrl-C / SIGTERM: Dagster ends the run; the caller must stop too

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        suffix = f" [{self._partition}]" if self._partition else ""
        if event is None:
            meta = getattr(record, "dagster_meta", {}) or {}
            if record.levelno >= logging.INFO and meta.get("step_key"):
                self._log(
                    f"           {meta['step_key']}{suffix}: {meta.get('orig_message', record.getMessage())}"
                )
            return
        kind = event.event_type_value
        if kind == "STEP_SUCCESS":
            seconds = event.event_specific_data.duration_ms / 1000
            if self._timings is not None:
                self._timings.append((event.step_key or "", self._partition, seconds))
            self._log(f"  {seconds:7.1f} s  {event.step_key}{suffix}")
        elif kind == "STEP_FAILURE":
            error = getattr(event.event_specific_data, "error", None)
            self.interrupted |= error is not None and error.cls_name == "DagsterExecutionInterruptedError"
            while error is not None and error.cause is not None:  # the user code's exception, not the wrapper
                error = error.cause
            self._log(
                f"   FAILED    {event.step_key}{suffix}: {error.message.strip() if error else record.getMessage()}"
            )
        elif kind == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            data = event.event_specific_data
            self._log(
                f"  check failed: {data.asset_key.to_user_string()}.{data.check_name} ({data.severity.value})"
            )


def run_selection(
    defs: Definitions,
    run: Run,
    instance: DagsterInstance,
    log: Log = print,
    timings: list[tuple[str, str, float]] | None = None,
) -> bool:
    """Materialise `run` in this process (against `instance`, so the UI shows it); True when it succeeded."""
    handler = _StepReporter(log, run.partition, timings)

    @logger(None, description="utr-assets: finished steps and asset log lines, one line each")
    def step_lines(_init_context) -> logging.Logger:
        lg = logging.getLogger(f"utr_assets.run.{id(handler)}")
        lg.handlers, lg.propagate = [handler], False
        lg.setLevel(logging.DEBUG)
        return lg

    job_defs = Definitions(
        assets=list(defs.assets or []),
        resources=defs.resources or {},
        jobs=[
            define_asset_job(JOB, selection=AssetSelection.assets(*run.keys).required_multi_asset_neighbors())
        ],
        loggers={"step_lines": step_lines},
    )
    result = job_defs.resolve_job_def(JOB).execute_in_process(
        instance=instance,
        partition_key=run.partition,
        raise_on_error=False,
        run_config={"loggers": {"step_lines": {}}},
    )
    if handler.interrupted:  # Dagster turned the signal into a failed step; stop here, not at the next run
        raise KeyboardInterrupt(f"interrupted during {run.label}")
    return result.success


def _validate(defs: Definitions, asset: str, partition: str | None, instance: DagsterInstance) -> AssetKey:
    graph = defs.resolve_asset_graph()
    key = AssetKey.from_user_string(asset)
    names = sorted(k.to_user_string() for k in graph.toposorted_asset_keys if graph.get(k).is_materializable)
    if not graph.has(key) or not graph.get(key).is_materializable:
        raise ValueError(f"unknown asset {asset!r}; assets: {', '.join(names)}")
    partitions_def = graph.get(key).partitions_def
    if partitions_def is None:
        if partition is not None:
            raise ValueError(f"{asset} is not partitioned; drop --partition")
        return key
    from dagster._core.definitions.partitions.context import partition_loading_context

    with partition_loading_context(dynamic_partitions_store=instance):
        keys = list(partitions_def.get_partition_keys())
    if partition not in keys:
        problem = "needs --partition" if partition is None else f"has no partition {partition!r}"
        raise ValueError(f"{asset} {problem}; partitions: {', '.join(keys)}")
    return key


def materialise_asset(
    asset: str,
    partition: str | None,
    defs: Definitions,
    log: Log = print,
    instance: DagsterInstance | None = None,
) -> bool:
    """Materialise `asset[partition]`, first every missing upstream (asset, partition); True on success.
    Raises ValueError (with the valid choices) for an unknown asset or partition."""
    from utr_assets.platform.whole_graph import _sync_model_partitions

    instance = instance or DagsterInstance.get()
    _sync_model_partitions(instance, defs)
    key = _validate(defs, asset, partition, instance)
    settings = defs_settings(defs)
    store = ArtifactStore(settings.storage.root, dict(settings.storage.options))
    graph = defs.resolve_asset_graph()

    def exists(k: AssetKey, p: str | None) -> bool:
        return output_exists(store, graph.get(k).assets_def.get_io_manager_key_for_asset_key(k), k, p)

    runs = plan_runs(defs, key, partition, instance, exists)
    log(f"{len(runs)} run(s): " + "; ".join(r.label for r in runs))
    for run in runs:
        log(f"materialising {run.label}")
        if not run_selection(defs, run, instance, log):
            log(f"run failed: {run.label}")
            return False
    return True
