"""The family registry: lookups and errors, import lightness, and that each description matches the code it
names (model types, capabilities, tokeniser kinds, the rolling stride, TrainConfig fields)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from utr_assets.families import (
    FAMILIES,
    Family,
    UnknownFamilyError,
    family,
    for_model_type,
    register,
    resolve,
    trainable_family,
)

LANGUAGE_MODELS = ["dnabert", "dnabert2", "nt", "dss"]
BASELINES = ["zoo_al", "phylop", "cadd", "kmer", "griesemer"]


def test_every_family_is_registered_once_under_its_name() -> None:
    assert list(FAMILIES) == LANGUAGE_MODELS + BASELINES
    assert all(name == fam.name for name, fam in FAMILIES.items())
    assert [f.name for f in FAMILIES.values() if f.trainable] == LANGUAGE_MODELS
    with pytest.raises(ValueError, match="registered twice"):
        register(dataclasses.replace(family("nt")))


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(UnknownFamilyError, match="unknown model family 'stsp'; known: cadd, dnabert, "):
        family("stsp")
    with pytest.raises(UnknownFamilyError, match="no trainable model family 'kmer'"):
        trainable_family("kmer")
    with pytest.raises(ValueError):  # an UnknownFamilyError is a ValueError (pydantic reports it)
        family("state-space")
    with pytest.raises(UnknownFamilyError, match="type 'gpt2'"):
        for_model_type("gpt2")


def test_importing_the_registry_loads_no_heavy_package() -> None:
    code = (
        "import sys, utr_assets.families; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'dagster', "
        "'numpy', 'pandas') or m.startswith(('utr_assets.corpus', 'utr_assets.models', 'utr_assets.scoring'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_capability_names_are_the_scorers() -> None:
    from utr_assets.families import base
    from utr_assets.scoring import base as scoring_base

    assert base.CAPABILITIES == scoring_base.CAPABILITIES
    assert all(f.capabilities <= base.CAPABILITIES for f in FAMILIES.values())


@pytest.mark.parametrize("name", LANGUAGE_MODELS)
def test_language_model_descriptions_match_their_code(name: str) -> None:
    from transformers import AutoConfig

    import utr_assets.models  # noqa: F401  registers the native classes
    from utr_assets.models.train_config import TrainConfig

    fam = family(name)
    config = fam.build_config("tiny")
    assert config.model_type == fam.model_type and for_model_type(fam.model_type) is fam
    assert AutoConfig.for_model(fam.model_type).model_type == fam.model_type
    assert resolve(fam.tokeniser).family == name  # the tokeniser kind's default family is this one
    assert getattr(config, fam.context_key) == fam.context_length("tiny")
    assert fam.context_length("paper") == fam.chunks.context  # the paper preset is the study's context
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert all(set(t) <= fields for t in fam.training.values())
    assert set(fam.presets) == set(fam.training) == {"tiny", "paper"}


def test_the_dss_rolling_stride_is_the_scorers() -> None:
    from utr_assets.families import dss
    from utr_assets.scoring.marginals import ROLLING_STRIDE

    assert dss.ROLLING_STRIDE == ROLLING_STRIDE


def test_collator_options_are_checked_and_mask_rate_is_one_name() -> None:
    from utr_assets.corpus import build_tokeniser

    tok = build_tokeniser("dnabert")
    assert family("dnabert").collator(tok).mask_rate == 0.025  # DNABERT's rate of span centres
    assert family("dnabert").collator(tok, mask_rate=0.15).mask_rate == 0.15
    assert family("dss").collator(build_tokeniser("dss"), mask_rate=0.2, edge=5).edge == 5
    with pytest.raises(TypeError, match=r"known: \['mask_rate'\]"):
        family("nt").collator(build_tokeniser("nt"), rate=0.2)


def test_descriptions_are_frozen() -> None:
    fam = family("nt")
    with pytest.raises(dataclasses.FrozenInstanceError):
        fam.k = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        fam.presets["paper"]["hidden_size"] = 1  # type: ignore[index]


def test_a_description_that_contradicts_itself_is_refused() -> None:
    base = family("dnabert2")
    with pytest.raises(ValueError, match="need a readout"):
        Family(**{**_fields(base), "capabilities": frozenset({"probabilities", "embeddings"})})
    with pytest.raises(ValueError, match="reference-aware mode reads non-overlapping"):
        Family(**{**_fields(family("dss")), "reference_aware": True})


def _fields(fam: Family) -> dict:
    return {f.name: getattr(fam, f.name) for f in dataclasses.fields(fam)}
