"""Registry sensor and weekly schedule: new models get partitions and runs; removed ones are kept.

The sensor and schedule functions are invoked directly: evaluate_tick would validate run requests
against partitions that the same result adds (the daemon applies the add request first)."""

from __future__ import annotations

import datetime
from pathlib import Path

from dagster import build_schedule_context, build_sensor_context, instance_for_test, partition_loading_context

from utr_assets.definitions import build_definitions
from utr_assets.settings import load_settings


def _defs(tmp_path: Path, registry: str):
    (tmp_path / "models.yaml").write_text(registry)
    override = tmp_path / "o.yaml"
    override.write_text(f"registry: {tmp_path / 'models.yaml'}\nstorage:\n  root: {tmp_path / 'store'}\n")
    return build_definitions(load_settings("sample", override))


def test_sensor_adds_new_models_once_and_keeps_removed(tmp_path: Path) -> None:
    with instance_for_test() as instance, partition_loading_context(dynamic_partitions_store=instance):
        _sensor_rounds(tmp_path, instance)


def _sensor_rounds(tmp_path: Path, instance) -> None:
    defs = _defs(
        tmp_path,
        "models:\n  - {slug: nt-3utr, kind: trained, family: nt, presets: {sample: tiny}}\n"
        "  - {slug: zoo-al, kind: baseline, family: zoo_al}\n",
    )
    sensor = defs.get_repository_def().get_sensor_def("model_registry_sensor")
    repo = defs.get_repository_def()
    result = sensor(build_sensor_context(instance=instance, repository_def=repo))
    assert sorted(r.partition_key for r in result.run_requests) == ["nt-3utr", "zoo-al"]
    assert len({r.run_key for r in result.run_requests}) == 2
    (add,) = result.dynamic_partitions_requests
    instance.add_dynamic_partitions("model", list(add.partition_keys))
    again = sensor(build_sensor_context(instance=instance, repository_def=repo))
    assert again.run_requests == [] and not again.dynamic_partitions_requests
    defs = _defs(
        tmp_path,
        "models:\n  - {slug: zoo-al, kind: baseline, family: zoo_al}\n"
        "  - {slug: kmer-counts, kind: baseline, family: kmer}\n",
    )
    third = defs.get_repository_def().get_sensor_def("model_registry_sensor")(
        build_sensor_context(instance=instance, repository_def=defs.get_repository_def())
    )
    assert [r.partition_key for r in third.run_requests] == ["kmer-counts"]
    assert set(instance.get_dynamic_partitions("model")) == {"nt-3utr", "zoo-al"}  # nothing deleted


def test_weekly_schedule_requests_every_model_with_fresh_run_keys(tmp_path: Path) -> None:
    with instance_for_test() as instance, partition_loading_context(dynamic_partitions_store=instance):
        _schedule_rounds(tmp_path, instance)


def _schedule_rounds(tmp_path: Path, instance) -> None:
    instance.add_dynamic_partitions("model", ["a", "b"])
    defs = _defs(tmp_path, "models:\n  - {slug: a, kind: baseline, family: kmer}\n")
    schedule = defs.get_repository_def().get_schedule_def("weekly_benchmark_schedule")
    week1 = list(
        schedule(
            build_schedule_context(
                instance=instance, scheduled_execution_time=datetime.datetime(2026, 11, 23, 3)
            )
        )
    )
    week2 = list(
        schedule(
            build_schedule_context(
                instance=instance, scheduled_execution_time=datetime.datetime(2026, 11, 30, 3)
            )
        )
    )
    assert [r.partition_key for r in week1] == ["a", "b"]
    assert {r.run_key for r in week1}.isdisjoint({r.run_key for r in week2})


def _finished_run(instance, job_name: str, partition: str | None):
    from dagster import job, op

    @op
    def noop() -> None:
        return None

    @job(name=job_name)
    def finished():
        noop()

    tags = {"dagster/partition": partition} if partition else {}
    result = finished.execute_in_process(instance=instance, tags=tags)
    return result.dagster_run, result.get_run_success_event()


def test_leaderboard_sensor_follows_model_runs_only(tmp_path: Path) -> None:
    from dagster import RunRequest, SkipReason, build_run_status_sensor_context

    defs = _defs(tmp_path, "models:\n  - {slug: zoo-al, kind: baseline, family: zoo_al}\n")
    sensor = defs.get_repository_def().get_sensor_def("leaderboard_after_model_runs")
    with instance_for_test() as instance:
        instance.add_dynamic_partitions("model", ["zoo-al"])
        results = {}
        for label, job_name, partition in (
            ("model", "__ASSET_JOB", "zoo-al"),
            ("chromosome", "__ASSET_JOB", "chr1"),
            ("unpartitioned", "__ASSET_JOB", None),
            ("own", "leaderboard_job", "zoo-al"),
        ):
            run, event = _finished_run(instance, job_name, partition)
            context = build_run_status_sensor_context(
                sensor_name=sensor.name, dagster_event=event, dagster_instance=instance, dagster_run=run
            )
            results[label] = (run, sensor(context))
    run, request = results["model"]
    assert isinstance(request, RunRequest) and request.run_key == f"after-{run.run_id}"
    assert request.tags["utr_assets/model"] == "zoo-al"
    assert all(isinstance(results[k][1], SkipReason) for k in ("chromosome", "unpartitioned", "own"))
