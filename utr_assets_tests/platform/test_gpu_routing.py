"""GPU routing on the real definitions: every GPU asset of both profiles reaches the Celery `gpu` queue and
requests a GPU on Kubernetes, with the tags of the one helper (platform/executors.gpu_op_tags)."""

from __future__ import annotations

import json

import pytest

from utr_assets.definitions import build_definitions
from utr_assets.platform.executors import (
    CELERY_QUEUE_TAG,
    GPU_QUEUE,
    K8S_CONFIG_TAG,
    RESOURCE_TAG,
    gpu_op_tags,
    unrouted_gpu_assets,
)
from utr_assets.settings import load_settings

GPU_ASSETS = {
    "model_checkpoint",
    "utr3_base_probabilities",
    "utr3_embeddings",
    "mpra_embeddings",
    "variant_scores",
    "variant_embeddings",
}


@pytest.fixture(scope="module", params=["sample", "paper"])
def defs(request):
    return build_definitions(load_settings(request.param, ""))


def _gpu_assets(defs) -> dict[str, dict]:
    out = {}
    for asset in defs.assets:
        tags = asset.node_def.tags if asset.is_executable else {}
        if tags.get(RESOURCE_TAG) == "gpu":
            out.update({key.to_user_string(): tags for key in asset.keys})
    return out


def test_every_gpu_asset_is_routed(defs) -> None:
    assert unrouted_gpu_assets(defs.assets) == []
    gpu = _gpu_assets(defs)
    assert set(gpu) >= GPU_ASSETS
    for name, tags in gpu.items():
        assert tags[CELERY_QUEUE_TAG] == GPU_QUEUE, name
        k8s = json.loads(tags[K8S_CONFIG_TAG])  # Dagster stores dict-valued op tags as JSON
        assert k8s == gpu_op_tags()[K8S_CONFIG_TAG], name
        assert k8s["container_config"]["resources"]["limits"]["nvidia.com/gpu"] == "1"


def test_cpu_assets_stay_on_the_default_queue(defs) -> None:
    for asset in defs.assets:
        if not asset.is_executable or any(k.to_user_string() in GPU_ASSETS for k in asset.keys):
            continue
        assert asset.node_def.tags.get(CELERY_QUEUE_TAG) in (None, "dagster"), asset.keys
