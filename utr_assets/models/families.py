"""The registry of trainable model families: a family name (as in data/models.yaml) -> its module.

What belongs here: the lookup and the shared family vocabulary. Every family module exposes
``NAME``, ``MODEL_TYPE``, ``VOCAB_SIZE``, ``PRESETS``, ``TRAINING``, ``PAPER_PARAMETERS``,
``build_config(preset, vocab_size, **overrides)``, ``build_model(config)``,
``collator(tokenizer, ..., seed)`` and ``context_length(preset)``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from utr_assets.models import dnabert, dnabert2, dss, nt

FAMILIES: dict[str, ModuleType] = {m.NAME: m for m in (dnabert, dnabert2, nt, dss)}
_BY_MODEL_TYPE = {m.MODEL_TYPE: m for m in FAMILIES.values()}


class UnknownFamilyError(KeyError):
    """A family name (or model type) that no trainable family module provides."""

    def __str__(self) -> str:
        return str(self.args[0])


def family_for(name: str) -> ModuleType:
    """The family module for a registry family name (dnabert, dnabert2, nt, dss)."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownFamilyError(
            f"no trainable model family {name!r}; known: {', '.join(sorted(FAMILIES))} "
            "(baselines such as zoo_al or phylop are not trained)"
        ) from None


def family_of_model(model: Any) -> ModuleType:
    """The family module of a built model, from its config's ``model_type``."""
    model_type = getattr(getattr(model, "config", None), "model_type", None)
    try:
        return _BY_MODEL_TYPE[model_type]
    except KeyError:
        raise UnknownFamilyError(f"no family builds models of type {model_type!r}") from None


def parameter_count(model: Any) -> int:
    """Distinct parameters (tied weights counted once)."""
    return sum(p.numel() for p in model.parameters())
