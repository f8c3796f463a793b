"""`Family`: the complete description of one model family, as plain data plus lazily resolved factories.

What belongs here: the `Family` dataclass (every fact that differs between families: tokenisation, chunk
rule, probability readout, capabilities, presets, training defaults, collator, probability modes,
planning cost model, baseline scorer), its two small companions (`ChunkRule`, `CostModel`) and
`resolve`, which turns a ``"module:attribute"`` reference into the object. Not here: the families
themselves (one module each beside this one), the registry (``__init__``), or any heavy code.

Import rule: this package imports nothing but the standard library (no torch, transformers, dagster or
other utr_assets packages), so that settings and the model registry can validate family names. Code a
family needs at run time (its Tokeniser class, config/model builders, collator, checkpoint import,
baseline scorer) is named by a ``"package.module:attribute"`` string, resolved on first use, or given
as a callable (a test's toy family passes callables).

Units: every context counts **tokens per chunk, special tokens included**. For the single-nucleotide
family a token is a nucleotide and there are no specials, so its preset key ``chunk_length``
(nucleotides, the DSS config's name) is also its token count.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

# Capability names (the same strings as utr_assets.scoring.base; a test keeps them equal).
PROBABILITIES = "probabilities"
EMBEDDINGS = "embeddings"
LOSS = "loss"
SITE_SCORES = "site_scores"
ALLELE_SCORES = "allele_scores"
CAPABILITIES = frozenset({PROBABILITIES, EMBEDDINGS, LOSS, SITE_SCORES, ALLELE_SCORES})
LANGUAGE_MODEL = frozenset({PROBABILITIES, EMBEDDINGS, LOSS})

# How a masked-LM's outputs become per-base ACGT probabilities (utr_assets.scoring.lm reads this):
#   overlapping_kmer  overlapping k-mers, every k-mer covering a base masked together (DNABERT)
#   kmer              non-overlapping k-mers with single-letter fallback (NT); allows reference_aware
#   nucleotide        one token per nucleotide (rolling mask)
Readout = Literal["overlapping_kmer", "kmer", "nucleotide"]
ProbabilityMode = Literal["masked", "unmasked", "reference_aware"]
Factory = str | Callable[..., Any]


def resolve(ref: Factory) -> Any:
    """The object a ``"package.module:attr[.attr]"`` reference names (imported now); a callable as given."""
    if not isinstance(ref, str):
        return ref
    module, sep, attr = ref.partition(":")
    if not sep or not attr:
        raise ValueError(f"{ref!r}: expected 'package.module:attribute'")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _frozen(mapping: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Mapping[str, Any]]:
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in mapping.items()})


@dataclass(frozen=True)
class ChunkRule:
    """The study's chunking of a family (docs/protocol.md §3): ``context`` tokens per chunk (specials
    included) and ``overlap`` content tokens shared by consecutive chunks."""

    context: int
    overlap: int


@dataclass(frozen=True)
class CostModel:
    """What `utr-assets plan` needs to estimate GPU-hours (utr_assets/planning.py states the sources).

    ``tokens(length_nt)``: content tokens of one sequence; ``scoring_passes(n_utrs, mean_nt,
    content_per_chunk)``: (forward passes for per-base probabilities of every position, how they are
    counted); ``assumptions``: named numbers the estimate rests on (shown in the plan), ``note`` a sentence
    for the plan's footer."""

    train_tokens_per_s: float  # measured, paper preset, H100 (planning.THROUGHPUT_SOURCE)
    tokens: Callable[[float], float]
    scoring_passes: Callable[[int, float, int], tuple[float, str]]
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Family:
    """Everything that differs between model families; every switch in the package reads one of these."""

    name: str  # the registry name (data/models.yaml `family:`, settings keys, saved tokenisers)
    display_name: str
    trainable: bool  # a masked language model trained (or imported) here; False: a baseline
    capabilities: frozenset[str]  # what its scorer offers (names above = utr_assets.scoring.base)
    # -- language models -------------------------------------------------------------------------
    model_type: str | None = None  # config.model_type of the models it builds (HF Auto classes)
    tokeniser: Factory | None = None  # Tokeniser subclass: .fresh(...) builds one, cls(hf, k=, family=) wraps
    k: int = 0  # k-mer length of the tokenisation (0: BPE, 1: single nucleotides)
    n_special_tokens: int = 0  # special tokens per chunk ([CLS] ... [SEP]: 2)
    chunks: ChunkRule | None = None
    context_key: str = "max_position_embeddings"  # preset/config key holding the context (tokens)
    readout: Readout | None = None  # None: no per-base probabilities (BPE)
    reference_aware: bool = False  # the reference-aware probability mode applies
    mixed_lengths: bool = True  # forward batches may mix chunk lengths (False: one length per batch)
    excluded_target_ids: tuple[int, ...] = ()  # never a loss target besides [UNK] (dss: 4 = N)
    min_scored_length: int = 0  # shorter sequences get NaN probability rows (k-mer models: k)
    species_aware: bool = False  # a species-embedding variant exists (build_config(n_species=))
    vocab_size: int | None = None  # the paper vocabulary's size
    fixed_output_vocab: bool = False  # predicts vocab_size classes whatever the tokeniser's vocabulary
    target_classes: int | None = None  # uniform-guess classes of the loss (None: the vocabulary)
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # size -> model config
    training: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # size -> TrainConfig fields
    config_factory: Factory | None = None  # (preset dict, vocab_size, **overrides) -> PretrainedConfig
    model_factory: Factory | None = None  # (config) -> PreTrainedModel
    collator_factory: Factory | None = None  # (tokenizer, *, mask_rate, seed, **options) -> collator
    mask_rate: float = 0.15  # masking rate of the collator (dnabert: rate of span centres)
    collator_options: frozenset[str] = frozenset()  # further collator keywords (dss: edge)
    import_spec: Factory | None = None  # models.importing.ImportSpec of `utr-assets models import`
    probability_modes: Mapping[str, ProbabilityMode] = field(default_factory=dict)  # per_base / vis
    cost: CostModel | None = None
    # -- baselines -------------------------------------------------------------------------------
    scorer: Factory | None = None  # (name, **inputs) -> Scorer
    scorer_inputs: frozenset[str] = frozenset()  # regions, alignments, phylop, cadd, kmer_k
    nan_rows_allowed: bool = False  # probability rows may be NaN (no information in an alignment column)

    def __post_init__(self) -> None:
        object.__setattr__(self, "presets", _frozen(self.presets))
        object.__setattr__(self, "training", _frozen(self.training))
        object.__setattr__(self, "probability_modes", MappingProxyType(dict(self.probability_modes)))
        unknown = set(self.capabilities) - CAPABILITIES
        if unknown:
            raise ValueError(f"{self.name}: unknown capabilities {sorted(unknown)}")
        if (self.readout is None) == (PROBABILITIES in self.capabilities) and self.trainable:
            raise ValueError(f"{self.name}: per-base probabilities need a readout and vice versa")
        if self.reference_aware and self.readout != "kmer":
            raise ValueError(f"{self.name}: the reference-aware mode reads non-overlapping k-mer tokens")
        if self.trainable and (self.tokeniser is None or self.chunks is None):
            raise ValueError(f"{self.name}: a language model needs a tokeniser and a chunk rule")

    # -- presets ---------------------------------------------------------------------------------
    def preset(self, name: str) -> Mapping[str, Any]:
        """The model config of size preset ``name``."""
        if name not in self.presets:
            raise KeyError(f"{self.name}: unknown preset {name!r}; known: {sorted(self.presets)}")
        return self.presets[name]

    def context_length(self, preset: str) -> int:
        """Tokens per chunk of ``preset``, special tokens included."""
        return int(self.preset(preset)[self.context_key])

    def training_defaults(self, preset: str) -> dict[str, Any]:
        """The study's optimiser settings for ``preset`` (fields of models.training.TrainConfig)."""
        if preset not in self.training:
            raise KeyError(f"{self.name}: no training settings for preset {preset!r}")
        return dict(self.training[preset])

    # -- lazily resolved code --------------------------------------------------------------------
    def _need(self, ref: Factory | None, what: str) -> Any:
        if ref is None:
            raise ValueError(f"the {self.name} family has no {what}")
        return resolve(ref)

    def tokeniser_class(self) -> Any:
        return self._need(self.tokeniser, "tokeniser (a baseline)")

    def build_config(self, preset: str, vocab_size: int | None = None, **overrides: Any) -> Any:
        """The model config of ``preset`` (``vocab_size`` None: the paper vocabulary's)."""
        factory = self._need(self.config_factory, "model config")
        return factory(self.preset(preset), vocab_size or self.vocab_size, **overrides)

    def build_model(self, config: Any) -> Any:
        return self._need(self.model_factory, "model")(config)

    def collator(self, tokenizer: Any, *, seed: int = 0, **options: Any) -> Any:
        """The training collator; ``options``: ``mask_rate`` and the family's `collator_options`."""
        unknown = set(options) - {"mask_rate"} - set(self.collator_options)
        if unknown:
            known = sorted({"mask_rate", *self.collator_options})
            raise TypeError(f"{self.name} collator: unknown option(s) {sorted(unknown)}; known: {known}")
        factory = self._need(self.collator_factory, "collator")
        return factory(tokenizer, seed=seed, **{"mask_rate": self.mask_rate, **options})

    def checkpoint_import(self) -> Any:
        return self._need(self.import_spec, "checkpoint import (`utr-assets models import`)")

    def baseline_scorer(self) -> Any:
        return self._need(self.scorer, "baseline scorer")

    def probability_mode(self, score: str) -> str | None:
        """The study's default mode of ``score`` (per_base | vis); None where it has no probabilities."""
        return self.probability_modes.get(score)
