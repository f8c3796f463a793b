"""What a training run is told and what it reports: TrainConfig (with each family's study settings as
defaults) and TrainResult, plus the seeding and uniform-guess baseline the loop uses.

What belongs here: the two dataclasses, `train_config_for` (a family's ``training`` presets from its
description in utr_assets.families, with overrides), `seed_everything`, `family_of_model`,
`uniform_baseline`. Not here: the loop (training.py).
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from utr_assets.families import Family, for_model_type, trainable_family


@dataclass
class TrainConfig:
    seed: int = 0
    micro_batch_size: int = 8
    grad_accum_steps: int = 1
    max_epochs: int = 10
    max_steps: int | None = None
    optimizer: str = "adamw"  # adamw | adam
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.98)
    eps: float = 1e-6
    weight_decay: float = 0.01
    schedule: str = "linear"  # see lr_schedule.SCHEDULES
    warmup_steps: int = 0
    cycle_steps: int | None = None  # triangular schedule only
    max_grad_norm: float | None = 1.0  # None: no clipping (the study clipped in no family)
    # parameters without weight decay: None = ours (1-D tensors and embeddings); a tuple = the study's rule,
    # names containing any of these substrings (DNABERT: bias, LayerNorm.weight; () = decay everything)
    weight_decay_exempt: tuple[str, ...] | None = None
    checkpoint_every: int | None = None  # steps; None = at epoch ends only
    eval_batch_size: int = 32
    plateau_window: int = 3
    plateau_tolerance: float = 0.01
    bf16: bool = True  # autocast on CUDA only
    keep_states: int = 1
    # Test/ops hook: return (as if killed) after this many steps, writing nothing more.
    stop_after_steps: int | None = None
    collator_kwargs: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> dict[str, Any]:
        """Settings that must match for a resume to continue the same run."""
        d = asdict(self)
        for k in ("stop_after_steps", "keep_states", "eval_batch_size"):
            d.pop(k)
        d["betas"] = list(self.betas)
        if self.weight_decay_exempt is not None:
            d["weight_decay_exempt"] = list(self.weight_decay_exempt)
        return d


@dataclass
class TrainResult:
    steps: int
    epochs: int
    tokens_per_second: float
    train_loss: list[tuple[int, float]]  # (step, loss) per step
    epoch_train_loss: list[float]
    val_loss: list[tuple[int, float]]  # (step, loss) per checkpoint
    val_accuracy: list[tuple[int, float]]
    final_train_loss: float
    best_val_loss: float
    best_val_accuracy: float
    best_step: int
    uniform_baseline: float
    best_checkpoint: Path | None
    stopped_by: str  # plateau | max_epochs | max_steps | interrupted
    parameters: int


def parameter_groups(model: torch.nn.Module, cfg: TrainConfig) -> list[dict[str, Any]]:
    """The optimiser's two groups: decayed with ``cfg.weight_decay`` and exempt (weight decay 0)."""
    decayed: list[torch.nn.Parameter] = []
    exempt: list[torch.nn.Parameter] = []
    for name, p in model.named_parameters():
        if cfg.weight_decay_exempt is None:
            is_exempt = p.ndim < 2 or "embed" in name
        else:
            is_exempt = any(s in name for s in cfg.weight_decay_exempt)
        (exempt if is_exempt else decayed).append(p)
    return [{"params": decayed, "weight_decay": cfg.weight_decay}, {"params": exempt, "weight_decay": 0.0}]


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and CUDA); call before building the model."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def train_config_for(family: str, preset: str, **overrides: Any) -> TrainConfig:
    """The study's optimiser settings for a family and preset (docs/protocol.md §3), with overrides."""
    return TrainConfig(**{**trainable_family(family).training_defaults(preset), **overrides})


def family_of_model(model: Any) -> Family:
    """The family of a built model, from its config's ``model_type``."""
    return for_model_type(getattr(getattr(model, "config", None), "model_type", None))


def uniform_baseline(model: Any) -> float:
    """Cross-entropy of a uniform guess over the family's target classes (dss: A/C/G/T), else ln(vocab)."""
    return math.log(family_of_model(model).target_classes or model.config.vocab_size)
