"""Quality checks of a trained model as plain functions (models/assets.py turns them into asset checks).

What belongs here: parameter counts of presets, reload-equivalence of a saved HF directory, the
pickle-free rule for checkpoint directories. Not here: training-loss checks (report.summary has them).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForMaskedLM

from utr_assets.families import trainable_family

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")


def preset_parameters(family: str, preset: str, vocab_size: int | None = None, **overrides: Any) -> int:
    """Parameter count of a preset, counted on the meta device (no memory, no initialisation)."""
    fam = trainable_family(family)
    config = fam.build_config(preset, vocab_size=vocab_size, **overrides)
    with torch.device("meta"):
        model = fam.build_model(config)
    return sum(p.numel() for p in model.parameters())


def within(value: float, target: float, tolerance: float = 0.05) -> bool:
    return abs(value - target) <= tolerance * target


def pickle_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Files under ``directory`` in a pickle-based format (must be empty: checkpoints are safetensors)."""
    return sorted(p for p in Path(directory).rglob("*") if p.is_file() and p.suffix in PICKLE_SUFFIXES)


@torch.no_grad()
def reload_max_difference(
    model: Any, directory: str | os.PathLike[str], batch: dict[str, torch.Tensor]
) -> float:
    """Max |logit difference| between ``model`` and ``AutoModelForMaskedLM.from_pretrained(directory)`` on
    ``batch`` (both in eval mode, on CPU, float32); 0.0 means the checkpoint reloads exactly."""
    import utr_assets.models  # noqa: F401  (registers the DSS classes with the Auto classes)

    reloaded = AutoModelForMaskedLM.from_pretrained(str(directory), trust_remote_code=False).eval()
    was_training = model.training
    device = next(model.parameters()).device
    model.eval().cpu()
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    diff = (model(**inputs).logits.float() - reloaded(**inputs).logits.float()).abs().max().item()
    model.to(device).train(was_training)
    return diff
