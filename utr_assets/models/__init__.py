"""Model zoo and training (docs/protocol.md §3, §6): the architecture builders of each trainable family (its facts
live in utr_assets/families/), masking collators, the resumable training loop and its report. Plain Python
(no dagster); assets/models.py is glue.

Importing this package registers the native classes of every trainable family (DSS, NT-v2, DNABERT-2)
with the Hugging Face Auto classes.
"""

from __future__ import annotations

from utr_assets.families import FAMILIES, resolve
from utr_assets.models.train_config import TrainConfig, TrainResult, seed_everything, train_config_for
from utr_assets.models.training import train


def register_auto_classes() -> None:
    """Import every trainable family's model module (their classes register with the Auto classes)."""
    for fam in FAMILIES.values():
        if fam.trainable and fam.model_factory is not None:
            resolve(fam.model_factory)


def parameter_count(model: object) -> int:
    """Distinct parameters (tied weights counted once)."""
    return sum(p.numel() for p in model.parameters())  # type: ignore[attr-defined]


register_auto_classes()

__all__ = [
    "TrainConfig",
    "TrainResult",
    "parameter_count",
    "register_auto_classes",
    "seed_everything",
    "train",
    "train_config_for",
]
