"""Adding a model family is one description + one `register` line: a toy family, given as callables (no new
module, no edit elsewhere), is accepted by the registry, the model registry, settings validation, the
tokeniser and chunking lookups, the training recipe and the scorer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from utr_assets import families
from utr_assets.families import FAMILIES, ChunkRule, Family, register

TOY = "toy"


def _toy_tokeniser():  # a callable factory: the class itself, resolved without a module path
    from utr_assets.corpus.tokenisers import NucleotideTokeniser

    return NucleotideTokeniser


def _toy_family() -> Family:
    from utr_assets.models import dss  # the toy reuses an architecture; only its description is new

    return Family(
        name=TOY,
        display_name="toy nucleotide model",
        trainable=True,
        capabilities=frozenset({"probabilities", "embeddings", "loss"}),
        model_type="utr_dss",
        tokeniser=_toy_tokeniser(),
        k=1,
        chunks=ChunkRule(64, 8),
        context_key="chunk_length",
        readout="nucleotide",
        mixed_lengths=False,
        excluded_target_ids=(4,),
        vocab_size=5,
        fixed_output_vocab=True,
        target_classes=4,
        presets={"tiny": dict(d_model=8, n_states=4, n_dss_layers=1, n_res_blocks=1, chunk_length=64)},
        training={"tiny": dict(optimizer="adamw", lr=1e-3, micro_batch_size=4, max_epochs=1)},
        config_factory=dss.build_config,
        model_factory=dss.build_model,
        collator_factory=dss.collator,
        collator_options=frozenset({"edge"}),
        probability_modes={"per_base": "masked", "vis": "unmasked"},
    )


@pytest.fixture
def toy() -> Iterator[Family]:
    fam = register(_toy_family())
    try:
        yield fam
    finally:
        FAMILIES.pop(TOY, None)


def test_the_registry_and_the_model_registry_accept_it(toy: Family, tmp_path: Path) -> None:
    from utr_assets.model_registry import load_registry

    assert families.family(TOY) is toy and TOY in families.trainable_names()
    registry = tmp_path / "models.yaml"
    registry.write_text(
        "models:\n  - {slug: toy-3utr, kind: trained, family: toy, presets: {sample: tiny}}\n"
    )
    assert load_registry(registry)["toy-3utr"].family == TOY


def test_settings_validation_accepts_it(toy: Family, tmp_path: Path) -> None:
    from utr_assets.settings import load_settings

    override = tmp_path / "toy.yaml"
    override.write_text(
        "training:\n  families: {toy: {max_steps: 5}}\n"
        "scoring:\n  probability_mode: {per_base: {toy: unmasked}}\n"
    )
    settings = load_settings("sample", override)
    assert settings.training.for_family(TOY).max_steps == 5
    modes = settings.scoring.probability_mode
    assert modes.mode("per_base", TOY) == "unmasked" and modes.mode("vis", TOY) == "unmasked"


def test_tokeniser_and_chunking_lookups_accept_it(toy: Family, tmp_path: Path) -> None:
    from utr_assets.corpus import build_tokeniser, load_tokeniser, paper_chunk_spec, training_chunk_spec

    tokeniser = build_tokeniser(TOY)
    assert tokeniser.family == TOY and tokeniser.k == 1
    again = load_tokeniser(tokeniser.save(tmp_path / "tok"))
    assert again.family == TOY and type(again) is type(tokeniser)
    assert paper_chunk_spec(TOY).context == 64
    spec = training_chunk_spec(TOY, "tiny")
    assert (spec.context, spec.overlap) == (64, 8)
    chunks = tokeniser.chunk(["ACGT" * 40], spec)
    assert len(chunks) == 3 and max(len(chunks.chunk(c)[0]) for c in range(len(chunks))) == 64


def test_the_training_recipe_and_the_scorer_read_it(toy: Family) -> None:
    import numpy as np

    from utr_assets.corpus import build_tokeniser
    from utr_assets.models.recipe import model_recipe, training_config
    from utr_assets.scoring.lm import LanguageModelScorer

    tokeniser = build_tokeniser(TOY)
    recipe = model_recipe(TOY, "tiny", tokeniser)
    model = recipe.build(seed=0)
    assert recipe.vocab_size == 5 and recipe.expected_parameters() == sum(
        p.numel() for p in model.parameters()
    )
    assert training_config(TOY, "tiny", seed=3).lr == 1e-3
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['centre_rate'\]"):
        toy.collator(tokeniser, centre_rate=0.1)  # a typo is an error, not silently ignored
    scorer = LanguageModelScorer(model, tokeniser, name="toy", probability_mode="unmasked")
    probs = scorer.base_probabilities(["ACGTACGTAC" * 3])[0]
    assert probs.shape == (30, 4) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
