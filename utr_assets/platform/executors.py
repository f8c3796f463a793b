"""Executors: where a run's steps execute, chosen by the `executor` settings section.

What belongs here: building the Dagster executor for `Definitions(executor=...)` from
`ExecutorSettings` (in-process, local multiprocess, Dagster's Celery executor with a Redis broker,
or the Kubernetes job executor), the Celery config shared by the executor and its workers, and the
op tags that route GPU steps (a `gpu` Celery queue, a GPU request on Kubernetes). Nothing
home-made: the engines are dagster-celery and dagster-k8s (the optional `[scale]` extra), imported
only when chosen.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from dagster import AssetsDefinition, ExecutorDefinition, in_process_executor, multi_or_in_process_executor

from utr_assets.settings import ExecutorSettings, Settings

RESOURCE_TAG = "utr_assets/resources"  # op tag naming the hardware a step needs ("gpu")
CELERY_QUEUE_TAG = "dagster-celery/queue"  # read by dagster-celery for each step
K8S_CONFIG_TAG = "dagster-k8s/config"  # read by dagster-k8s for each step's pod
GPU_QUEUE = "gpu"
DEFAULT_QUEUE = "dagster"  # dagster-celery's default queue name


def gpu_op_tags(gpus: int = 1) -> dict[str, Any]:
    """Op tags for a step that needs GPUs: Kubernetes GPU limit, Celery `gpu` queue, our resource tag.

    Each engine reads only its own tag, so one asset definition runs unchanged on every executor.
    """
    if gpus < 1:
        raise ValueError(f"gpus must be >= 1, got {gpus}")
    return {
        K8S_CONFIG_TAG: {"container_config": {"resources": {"limits": {"nvidia.com/gpu": str(gpus)}}}},
        RESOURCE_TAG: "gpu",
        CELERY_QUEUE_TAG: GPU_QUEUE,
    }


def unrouted_gpu_assets(assets: Iterable[AssetsDefinition]) -> list[str]:
    """Assets tagged as needing a GPU whose steps would not reach the Celery `gpu` queue."""
    unrouted: list[str] = []
    for asset in assets:
        tags = asset.node_def.tags if asset.is_executable else {}
        if tags.get(RESOURCE_TAG) == "gpu" and tags.get(CELERY_QUEUE_TAG) != GPU_QUEUE:
            unrouted.extend(key.to_user_string() for key in asset.keys)
    return sorted(unrouted)


def celery_config(section: ExecutorSettings) -> dict[str, Any]:
    """The `celery_executor` config; workers get the same block (see `celery_worker_yaml`).

    Broker and backend URLs are read from the environment when the run starts (they may hold a
    password), never stored in settings.
    """
    return {
        "broker": {"env": section.celery_broker_env},
        "backend": {"env": section.celery_backend_env or section.celery_broker_env},
        # one task at a time per worker process: steps are long and GPU steps must not pile up.
        "config_source": {"worker_prefetch_multiplier": 1, "task_acks_late": True},
    }


def celery_worker_yaml(section: ExecutorSettings) -> dict[str, Any]:
    """The `-y` file of `dagster-celery worker start`: the executor's config under `execution.config`."""
    return {"execution": {"config": celery_config(section)}}


def k8s_config(section: ExecutorSettings) -> dict[str, Any]:
    """The `k8s_job_executor` config; GPU requests come per step from the `dagster-k8s/config` op tag."""
    config: dict[str, Any] = {}
    if section.k8s_namespace:
        config["job_namespace"] = section.k8s_namespace
    if section.k8s_image:
        config["job_image"] = section.k8s_image
    if section.k8s_service_account:
        config["service_account_name"] = section.k8s_service_account
    if section.k8s_env_secrets:
        config["env_secrets"] = list(section.k8s_env_secrets)
    if section.max_concurrent:
        config["max_concurrent"] = section.max_concurrent
    return config


def _scale_import(kind: str, module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise RuntimeError(
            f"executor kind {kind!r} needs {module.replace('_', '-')}: pip install -e '.[scale]'"
        ) from exc


def build_executor(settings: Settings | ExecutorSettings) -> ExecutorDefinition:
    """The executor of the code location, from the settings' `executor` section."""
    section = settings.executor if isinstance(settings, Settings) else settings
    if section.kind == "in_process":
        return in_process_executor
    if section.kind == "multiprocess":
        if section.max_concurrent is None:
            return multi_or_in_process_executor  # Dagster's default: the launchpad can still pick in_process
        return multi_or_in_process_executor.configured(
            {"multiprocess": {"max_concurrent": section.max_concurrent}}, name="multiprocess_capped"
        )
    if section.kind == "celery":
        dagster_celery = _scale_import("celery", "dagster_celery")
        return dagster_celery.celery_executor.configured(celery_config(section), name="celery_redis")
    if section.kind == "k8s":
        dagster_k8s = _scale_import("k8s", "dagster_k8s")
        executor = dagster_k8s.k8s_job_executor
        config = k8s_config(section)
        return executor.configured(config, name="k8s_jobs") if config else executor
    raise ValueError(f"unknown executor kind {section.kind!r}")
