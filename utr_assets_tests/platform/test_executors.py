"""The executor settings section and what build_executor makes of it (no servers needed)."""

from __future__ import annotations

import pytest
from dagster import Definitions, asset, define_asset_job
from dagster._config import validate_config
from pydantic import ValidationError

from utr_assets.platform.executors import (
    CELERY_QUEUE_TAG,
    GPU_QUEUE,
    build_executor,
    celery_config,
    gpu_op_tags,
    k8s_config,
    unrouted_gpu_assets,
)
from utr_assets.settings import ExecutorSettings, Settings


def test_default_is_dagsters_multiprocess_default() -> None:
    assert ExecutorSettings().kind == "multiprocess"
    assert build_executor(ExecutorSettings()).name == "multi_or_in_process_executor"
    assert build_executor(ExecutorSettings(kind="in_process")).name == "in_process"
    assert build_executor(ExecutorSettings(max_concurrent=3)).name == "multiprocess_capped"


def test_settings_section_is_strict() -> None:
    with pytest.raises(ValidationError):
        ExecutorSettings(kind="dask")
    with pytest.raises(ValidationError):
        ExecutorSettings(broker="redis://x")  # URLs come from the environment, never from settings
    with pytest.raises(ValidationError):
        ExecutorSettings(max_concurrent=0)
    assert "executor" in Settings.model_fields


def test_celery_config_is_valid_and_reads_urls_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster_celery import celery_executor

    section = ExecutorSettings(kind="celery", celery_backend_env="MY_BACKEND")
    config = celery_config(section)
    assert config["broker"] == {"env": "UTR_ASSETS_CELERY_BROKER"}
    assert config["backend"] == {"env": "MY_BACKEND"}
    assert celery_config(ExecutorSettings(kind="celery"))["backend"] == {"env": "UTR_ASSETS_CELERY_BROKER"}
    monkeypatch.setenv("UTR_ASSETS_CELERY_BROKER", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("MY_BACKEND", "redis://127.0.0.1:1/1")
    assert validate_config(celery_executor.config_schema.config_type, config).success
    assert build_executor(section).name == "celery_redis"


def test_k8s_config_is_valid() -> None:
    from dagster_k8s import k8s_job_executor

    section = ExecutorSettings(
        kind="k8s",
        max_concurrent=4,
        k8s_namespace="utr",
        k8s_image="reg/utr:1",
        k8s_service_account="utr-runner",
        k8s_env_secrets=("utr-s3",),
    )
    config = k8s_config(section)
    assert config == {
        "job_namespace": "utr",
        "job_image": "reg/utr:1",
        "service_account_name": "utr-runner",
        "env_secrets": ["utr-s3"],
        "max_concurrent": 4,
    }
    assert validate_config(k8s_job_executor.config_schema.config_type, config).success
    assert build_executor(section).name == "k8s_jobs"
    assert build_executor(ExecutorSettings(kind="k8s")).name == "k8s"


def test_gpu_tags_route_to_the_gpu_queue_and_request_gpus() -> None:
    tags = gpu_op_tags(2)
    assert tags[CELERY_QUEUE_TAG] == GPU_QUEUE
    assert tags["dagster-k8s/config"]["container_config"]["resources"]["limits"] == {"nvidia.com/gpu": "2"}
    with pytest.raises(ValueError):
        gpu_op_tags(0)

    @asset(op_tags=gpu_op_tags())
    def routed() -> int:
        return 1

    @asset(op_tags={"utr_assets/resources": "gpu"})
    def unrouted() -> int:
        return 1

    @asset
    def cpu_only() -> int:
        return 1

    assert unrouted_gpu_assets([routed, unrouted, cpu_only]) == ["unrouted"]


def test_jobs_of_the_definitions_use_the_configured_executor() -> None:
    @asset
    def one() -> int:
        return 1

    defs = Definitions(
        assets=[one], jobs=[define_asset_job("j")], executor=build_executor(ExecutorSettings(kind="celery"))
    )
    assert defs.resolve_job_def("j").executor_def.name == "celery_redis"
