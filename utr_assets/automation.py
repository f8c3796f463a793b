"""Automation: the model-registry sensor, the weekly re-benchmark schedule and the job they launch.

Why a sensor (and not declarative automation) for new models: a registry edit must (1) add the
`model` partition and (2) materialise that partition through every model-partitioned asset, once,
with a run key that makes the request idempotent. A sensor does both in one evaluation and is
testable with `build_sensor_context`; removed slugs are reported, never deleted (history stays).
The leaderboard (unpartitioned, reads all model partitions) is refreshed after those runs by the
weekly schedule's runs and by `utr-assets demo`; see README.
"""

import hashlib
from collections.abc import Sequence

from dagster import (
    AssetsDefinition,
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    define_asset_job,
    schedule,
    sensor,
)

from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.registry import load_registry
from utr_assets.settings import Settings


def model_partitioned_keys(assets: Sequence[AssetsDefinition]) -> list:
    return [key for a in assets if a.partitions_def == model_partitions for key in a.keys]


def build_automation(settings: Settings, assets: Sequence[AssetsDefinition]) -> dict[str, list]:
    keys = model_partitioned_keys(assets)
    if not keys:
        return {"jobs": [], "sensors": [], "schedules": []}
    job = define_asset_job("model_benchmark_job", selection=AssetSelection.assets(*keys),
                           partitions_def=model_partitions,
                           description="Everything one model needs, from its tokenised corpus to its task metrics.")

    sensor_status = DefaultSensorStatus.RUNNING if settings.automation.registry_sensor == "running" \
        else DefaultSensorStatus.STOPPED
    schedule_status = DefaultScheduleStatus.RUNNING if settings.automation.weekly_schedule == "running" \
        else DefaultScheduleStatus.STOPPED

    @sensor(job=job, minimum_interval_seconds=60, default_status=sensor_status,
            description=f"Keeps the `model` partitions in sync with {settings.registry}; benchmarks new models.")
    def model_registry_sensor(context: SensorEvaluationContext) -> SensorResult:
        registry = load_registry(settings.registry)
        existing = set(context.instance.get_dynamic_partitions(model_partitions.name))
        new = [slug for slug in registry if slug not in existing]
        removed = sorted(existing - set(registry))
        if removed:
            context.log.warning(f"models no longer in the registry (partitions and history kept): {removed}")
        version = hashlib.sha256(repr(sorted(registry.items())).encode()).hexdigest()[:12]
        return SensorResult(
            run_requests=[RunRequest(partition_key=slug, run_key=f"registered-{slug}-{version}",
                                     tags={"utr_assets/trigger": "registry"}) for slug in new],
            dynamic_partitions_requests=[model_partitions.build_add_request(new)] if new else [],
        )

    @schedule(job=job, cron_schedule="0 3 * * 1", default_status=schedule_status,
              description="Weekly re-benchmark of every registered model (Mondays 03:00), fresh run keys.")
    def weekly_benchmark_schedule(context: ScheduleEvaluationContext):
        stamp = context.scheduled_execution_time.strftime("%Y-%m-%d")
        for slug in context.instance.get_dynamic_partitions(model_partitions.name):
            yield RunRequest(partition_key=slug, run_key=f"weekly-{stamp}-{slug}",
                             tags={"utr_assets/trigger": "weekly"})

    return {"jobs": [job], "sensors": [model_registry_sensor], "schedules": [weekly_benchmark_schedule]}
