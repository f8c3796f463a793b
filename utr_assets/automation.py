"""Automation: the model-registry sensor, the weekly re-benchmark schedule and the job they launch.

Why a sensor (and not declarative automation) for new models: a registry edit must (1) add the
`model` partition and (2) materialise that partition through every model-partitioned asset, once,
with a run key that makes the request idempotent. A sensor does both in one evaluation and is
testable with `build_sensor_context`; removed slugs are reported, never deleted (history stays).
The leaderboard (unpartitioned, reads all model partitions) is refreshed by a run-status sensor after
every successful run of a model partition, whichever launched it (registry sensor, weekly schedule, a
materialisation from the UI): one leaderboard run per model run, keyed by that run's id. Declarative automation (eager) was the other
candidate, but it waits while any model partition is missing, so one failed model would freeze the
leaderboard for all.
"""

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

from dagster import (
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    run_status_sensor,
    schedule,
    sensor,
)

from utr_assets.model_registry import load_registry
from utr_assets.platform.partitions import MODEL_PARTITIONS, model_partitions
from utr_assets.settings import Settings

if TYPE_CHECKING:  # what define_asset_job returns (not exported by dagster itself)
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition


def model_partitioned_keys(assets: Sequence[AssetsDefinition]) -> list:
    return [key for a in assets if a.partitions_def == model_partitions for key in a.keys]


class Automation(TypedDict):
    """The `Definitions` arguments this module makes (``Definitions(..., **build_automation(...))``)."""

    jobs: "list[UnresolvedAssetJobDefinition]"
    sensors: list[SensorDefinition]
    schedules: list[ScheduleDefinition]


def build_automation(settings: Settings, assets: Sequence[AssetsDefinition]) -> Automation:
    keys = model_partitioned_keys(assets)
    if not keys:
        return {"jobs": [], "sensors": [], "schedules": []}
    job = define_asset_job(
        "model_benchmark_job",
        selection=AssetSelection.assets(*keys),
        partitions_def=model_partitions,
        description="Everything one model needs, from its tokenised corpus to its task metrics.",
    )

    sensor_status = (
        DefaultSensorStatus.RUNNING
        if settings.automation.registry_sensor == "running"
        else DefaultSensorStatus.STOPPED
    )
    schedule_status = (
        DefaultScheduleStatus.RUNNING
        if settings.automation.weekly_schedule == "running"
        else DefaultScheduleStatus.STOPPED
    )

    interval = settings.automation.sensor_interval_seconds

    @sensor(
        job=job,
        minimum_interval_seconds=interval,
        default_status=sensor_status,
        description=f"Keeps the `model` partitions in sync with {settings.registry}; benchmarks new models.",
    )
    def model_registry_sensor(context: SensorEvaluationContext) -> SensorResult:
        registry = load_registry(settings.registry)
        existing = set(context.instance.get_dynamic_partitions(MODEL_PARTITIONS))
        new = [slug for slug in registry if slug not in existing]
        removed = sorted(existing - set(registry))
        if removed:
            context.log.warning(f"models no longer in the registry (partitions and history kept): {removed}")
        version = hashlib.sha256(repr(sorted(registry.items())).encode()).hexdigest()[:12]
        return SensorResult(
            run_requests=[
                RunRequest(
                    partition_key=slug,
                    run_key=f"registered-{slug}-{version}",
                    tags={"utr_assets/trigger": "registry"},
                )
                for slug in new
            ],
            dynamic_partitions_requests=[model_partitions.build_add_request(new)] if new else [],
        )

    @schedule(
        job=job,
        cron_schedule="0 3 * * 1",
        default_status=schedule_status,
        description="Weekly re-benchmark of every registered model (Mondays 03:00), fresh run keys.",
    )
    def weekly_benchmark_schedule(context: ScheduleEvaluationContext):
        stamp = context.scheduled_execution_time.strftime("%Y-%m-%d")
        for slug in context.instance.get_dynamic_partitions(MODEL_PARTITIONS):
            yield RunRequest(
                partition_key=slug, run_key=f"weekly-{stamp}-{slug}", tags={"utr_assets/trigger": "weekly"}
            )

    sensors: list[SensorDefinition] = [model_registry_sensor]
    jobs = [job]
    if any(AssetKey("leaderboard") in a.keys for a in assets):
        leaderboard_job = define_asset_job(
            "leaderboard_job",
            selection=AssetSelection.assets("leaderboard"),
            description="The leaderboard over every model partition.",
        )

        # every job of the code location is monitored (model_benchmark_job and the UI's asset jobs alike);
        # runs that are not of a model partition, and the leaderboard's own runs, are skipped
        @run_status_sensor(
            run_status=DagsterRunStatus.SUCCESS,
            request_job=leaderboard_job,
            default_status=sensor_status,
            minimum_interval_seconds=interval,
            description="Refreshes the leaderboard after every successful run of a model partition.",
        )
        def leaderboard_after_model_runs(context: RunStatusSensorContext) -> RunRequest | SkipReason:
            run = context.dagster_run
            slug = run.tags.get("dagster/partition")
            if (
                run.job_name == leaderboard_job.name
                or not slug
                or slug not in context.instance.get_dynamic_partitions(MODEL_PARTITIONS)
            ):
                return SkipReason(f"run {run.run_id} ({run.job_name}) is not a model run")
            return RunRequest(
                run_key=f"after-{run.run_id}",
                tags={"utr_assets/trigger": "model-run", "utr_assets/model": slug},
            )

        sensors.append(leaderboard_after_model_runs)
        jobs.append(leaderboard_job)
    return {"jobs": jobs, "sensors": sensors, "schedules": [weekly_benchmark_schedule]}
