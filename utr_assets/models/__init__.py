"""Model zoo and training (docs/protocol.md §3, §6): one module per family (dnabert, dnabert2, nt, dss), masking
collators, the resumable training loop and its report. Plain Python (no dagster); models/assets.py is glue.

Importing this package registers the DSS classes with the Hugging Face Auto classes.
"""

from __future__ import annotations

from utr_assets.models.families import (
    FAMILIES,
    UnknownFamilyError,
    family_for,
    family_of_model,
    parameter_count,
)
from utr_assets.models.training import TrainConfig, TrainResult, seed_everything, train, train_config_for

__all__ = [
    "FAMILIES",
    "TrainConfig",
    "TrainResult",
    "UnknownFamilyError",
    "family_for",
    "family_of_model",
    "parameter_count",
    "seed_everything",
    "train",
    "train_config_for",
]
