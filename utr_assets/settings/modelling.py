"""The settings sections of the model side: training overrides, scoring (with the probability modes) and the
evaluation protocol (`benchmarks`).

What belongs here: one strict pydantic model per section and its validation against the model-family
registry (utr_assets.families, imported without torch): family names in `training.families` and in
`scoring.probability_mode` must be registered; the default probability modes are each family's own.
Not here: the data-side sections (sections.py), loading (loading.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from utr_assets.families import FAMILIES, trainable_names
from utr_assets.settings.sections import _Strict


class TrainingOverrides(_Strict):
    """Overrides of the family's study settings (docs/protocol.md §3); None keeps the value from the level above."""

    max_epochs: int | None = Field(None, ge=1)
    max_steps: int | None = Field(None, ge=1)
    micro_batch_size: int | None = Field(None, ge=1)
    checkpoint_every: int | None = Field(None, ge=1)
    max_validation_chunks: int | None = Field(
        None, ge=1, description="Cap validation chunks (fast CPU runs)."
    )
    max_train_chunks: int | None = Field(None, ge=1, description="Cap training chunks (fast CPU runs).")


class TrainingSettings(TrainingOverrides):
    """Overrides for every family of this profile, and per family (``families``: family name -> overrides,
    which win over the profile-wide ones); None keeps the study's value."""

    seed: int = Field(
        0, description="Model initialisation, batch order and masks (default: the global `seed`)."
    )
    families: dict[str, TrainingOverrides] = Field(default_factory=dict)

    @field_validator("families")
    @classmethod
    def _known_families(cls, value: dict[str, TrainingOverrides]) -> dict[str, TrainingOverrides]:
        known = trainable_names()
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise ValueError(f"unknown model families {unknown}; known: {known}")
        return value

    def for_family(self, family: str) -> TrainingOverrides:
        """The overrides that apply to ``family``: its own entries over the profile-wide ones."""
        merged = {k: getattr(self, k) for k in TrainingOverrides.model_fields}
        own = self.families.get(family)
        if own is not None:
            merged.update({k: v for k, v in own.model_dump().items() if v is not None})
        return TrainingOverrides(**merged)


ProbabilityMode = Literal["masked", "unmasked", "reference_aware"]
Score = Literal["per_base", "vis"]


def _study_modes(score: Score) -> dict[str, ProbabilityMode]:
    return {
        name: fam.probability_modes[score] for name, fam in FAMILIES.items() if score in fam.probability_modes
    }


def _with_study_defaults(score: Score, value: dict[str, ProbabilityMode]) -> dict[str, ProbabilityMode]:
    """The family's study modes, overridden by ``value``; a family without probabilities is an error, and
    reference_aware only applies where the family allows it."""
    study = _study_modes(score)
    unknown = sorted(set(value) - set(study))
    if unknown:
        raise ValueError(f"no probability modes for families {unknown}; known: {sorted(study)}")
    allowed = [name for name, fam in FAMILIES.items() if fam.reference_aware]
    bad = [f for f, m in value.items() if m == "reference_aware" and f not in allowed]
    if bad:
        raise ValueError(f"reference_aware is defined for {', '.join(allowed)} only, not {', '.join(bad)}")
    return {**study, **value}


class ProbabilityModeSettings(_Strict):
    """``scoring.probability_mode``: masked | unmasked | reference_aware per score and family. Defaults: the
    study's (each family's ``probability_modes``: per-base masked for all; VIS from NT's reference-aware
    unmasked pass, the state-space models unmasked, DNABERT masked); reference_aware reads non-overlapping
    k-mer tokens, so only families that allow it (nt) may use it."""

    per_base: dict[str, ProbabilityMode] = Field(default_factory=lambda: _study_modes("per_base"))
    vis: dict[str, ProbabilityMode] = Field(default_factory=lambda: _study_modes("vis"))

    @field_validator("per_base")
    @classmethod
    def _per_base(cls, value: dict[str, ProbabilityMode]) -> dict[str, ProbabilityMode]:
        return _with_study_defaults("per_base", value)

    @field_validator("vis")
    @classmethod
    def _vis(cls, value: dict[str, ProbabilityMode]) -> dict[str, ProbabilityMode]:
        return _with_study_defaults("vis", value)

    def mode(self, score: Score, family: str) -> str | None:
        """The mode of ``score`` for a family; None for families without modes (BPE, baselines)."""
        return (self.per_base if score == "per_base" else self.vis).get(family)


class ScoringSettings(_Strict):
    shard_utrs: int = Field(256, ge=1, description="3'UTRs per per-base shard (the unit of resume).")
    variant_window: int = Field(
        4096, ge=8, description="Ref/alt window for VIS and embedding distances (study: 4,096)."
    )
    embedding_mode: Literal["mean_chunks", "truncate"] = "mean_chunks"
    max_tokens: int = Field(8192, ge=64, description="Tokens per forward batch.")
    context: int | None = Field(
        None,
        ge=16,
        description="Tokens per scoring chunk (specials included); None: the model's training context.",
    )
    kmer_k: int = Field(5, ge=1, le=8, description="k of the k-mer count baseline.")
    probability_mode: ProbabilityModeSettings = Field(default_factory=ProbabilityModeSettings)


class BenchmarkSettings(_Strict):
    """The evaluation protocol of docs/protocol.md §5 (defaults: the study's); see utr_assets/evaluation/."""

    n_boot: int = Field(1000, ge=0, description="Bootstrap resamples of each ROC AUC CI.")
    mlp_outer_folds: int = Field(10, ge=2, description="Outer CV folds of the variant MLP probe.")
    mlp_inner_folds: int = Field(3, ge=2, description="Inner CV folds choosing the MLP's hyper-parameters.")
    mlp_hidden_layers: tuple[tuple[int, ...], ...] = Field(
        ((64,), (128, 32)), description="MLP sizes searched."
    )
    mlp_alphas: tuple[float, ...] = Field((1e-4, 1e-2), description="MLP L2 penalties searched.")
    mpra_outer_folds: int | None = Field(
        None, ge=2, description="None: leave-one-group-out (the study); else this many grouped folds."
    )
    mpra_probes: tuple[Literal["ridge", "svr"], ...] = Field(("ridge", "svr"), min_length=1)
    half_life_probes: tuple[Literal["ridge", "svr"], ...] = Field(("ridge", "svr"), min_length=1)
    svr_c: tuple[float, ...] = (0.1, 1.0, 10.0)
    svr_epsilon: tuple[float, ...] = (0.1, 0.5)
    svr_gamma_factor: tuple[float, ...] = Field((0.1, 1.0), description="gamma = factor / n_features.")
    seed: int = Field(0, description="Folds, bootstrap and probes (default: the global `seed`).")
