"""Small platform pieces: model slugs and the torch device resource."""

from __future__ import annotations

import pytest
import torch

from utr_assets.platform.device import TorchDevice, resolve_device
from utr_assets.platform.partitions import validate_slug


@pytest.mark.parametrize("slug", ["dnabert-3utr", "nt_3utr", "stsp-3utr-sa", "a", "0" * 63])
def test_valid_slugs(slug: str) -> None:
    assert validate_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    ["InstaDeepAI/nt-v2", "../etc/passwd", "a/b", "Upper", "-lead", "", "a" * 64, "dot.name", "space name"],
)
def test_invalid_slugs_are_refused_with_guidance(slug: str) -> None:
    with pytest.raises(ValueError, match="invalid model slug"):
        validate_slug(slug)


def test_cpu_and_auto_devices() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    auto = TorchDevice(device="auto").get()
    assert auto.type in ("cpu", "cuda", "mps")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_asking_for_absent_cuda_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="device 'cuda' requested but torch.cuda.is_available"):
        resolve_device("cuda")
