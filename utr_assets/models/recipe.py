"""What a training run of a registry model is made of: the model built for its tokeniser and the TrainConfig.

What belongs here: turning (family, preset, tokeniser, species-awareness, settings overrides) into the
model to train, its expected parameter count, and its TrainConfig, reading only the family's
description (utr_assets.families). Not here: the training loop (training.py), the Dagster asset
(utr_assets/assets/models.py), the settings schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from utr_assets.families import Family, trainable_family
from utr_assets.models.checks import preset_parameters
from utr_assets.models.train_config import TrainConfig, seed_everything, train_config_for

# settings.training overrides that are TrainConfig fields (the chunk caps are applied to the data instead)
TRAIN_CONFIG_OVERRIDES = ("max_epochs", "max_steps", "micro_batch_size", "checkpoint_every")


@dataclass(frozen=True)
class ModelRecipe:
    """A family's preset sized for a tokeniser: the output vocabulary (the family's own where it predicts a
    fixed set, e.g. dss's 5 nucleotide ids, else the tokeniser's) and config overrides (species)."""

    family: Family
    preset: str
    vocab_size: int
    config_overrides: dict[str, Any] = field(default_factory=dict)

    def build(self, seed: int) -> Any:
        """The freshly initialised model; python, numpy and torch are seeded with ``seed`` first."""
        seed_everything(seed)
        config = self.family.build_config(self.preset, vocab_size=self.vocab_size, **self.config_overrides)
        return self.family.build_model(config)

    def expected_parameters(self) -> int:
        return preset_parameters(self.family.name, self.preset, self.vocab_size, **self.config_overrides)


def model_recipe(family: str, preset: str, tokeniser: Any, species_aware: bool = False) -> ModelRecipe:
    """The recipe of a ``family`` model of ``preset`` trained on ``tokeniser``'s tokens; a species-aware
    model gets one species embedding per species of the tokeniser's species vocabulary."""
    fam = trainable_family(family)
    vocab_size = fam.vocab_size if fam.fixed_output_vocab and fam.vocab_size else tokeniser.vocab_size
    overrides: dict[str, Any] = {}
    if fam.species_aware:
        species = getattr(tokeniser, "species", None)
        overrides["n_species"] = species.size if species_aware and species is not None else 0
    return ModelRecipe(fam, preset, vocab_size, overrides)


def training_config(family: str, preset: str, seed: int, overrides: Any = None) -> TrainConfig:
    """The family's study settings for ``preset`` with the settings' overrides (an object with the
    `TRAIN_CONFIG_OVERRIDES` attributes, e.g. settings.TrainingOverrides; None values keep the study's)."""
    given = {k: getattr(overrides, k, None) for k in TRAIN_CONFIG_OVERRIDES}
    return train_config_for(family, preset, seed=seed, **{k: v for k, v in given.items() if v is not None})
