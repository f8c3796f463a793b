"""What a registry entry's scorer is given (scoring/loading.scorer_options) and the baseline dispatch through the
family descriptions (scoring/baselines.baseline_scorer)."""

from __future__ import annotations

import pytest

from utr_assets.model_registry import ModelEntry
from utr_assets.scoring.base import ScoringError
from utr_assets.scoring.baselines import baseline_scorer
from utr_assets.scoring.loading import scorer_options
from utr_assets.settings import load_settings


def test_language_models_get_the_scoring_settings_and_their_per_base_mode() -> None:
    scoring = load_settings("sample", override="").scoring
    dss = ModelEntry(slug="s", kind="trained", family="dss", species_aware=True, presets={"sample": "tiny"})
    assert scorer_options(dss, scoring, "hg38") == {
        "max_tokens": 32768,
        "context": 64,
        "species": "hg38",
        "probability_mode": "masked",
    }
    bpe = ModelEntry(slug="b", kind="trained", family="dnabert2", presets={"sample": "tiny"})
    assert scorer_options(bpe, scoring, "hg38") == {"max_tokens": 32768, "context": 64}  # no modes: BPE
    paper = load_settings("paper", override="").scoring
    nt = ModelEntry(slug="n", kind="pretrained", family="nt", source="./x")
    assert scorer_options(nt, paper, None) == {"max_tokens": 32768, "probability_mode": "masked"}
    assert scorer_options(ModelEntry(slug="k", kind="baseline", family="kmer"), scoring, None) == {}


def test_baselines_are_built_from_their_description() -> None:
    assert baseline_scorer("kmer", kmer_k=2).hidden_size == 16
    assert baseline_scorer("griesemer", name="g").name == "g"
    with pytest.raises(ScoringError, match="the phylop baseline needs regions"):
        baseline_scorer("phylop")
    with pytest.raises(ScoringError, match="'nt' is not a baseline family"):
        baseline_scorer("nt")
    with pytest.raises(TypeError, match=r"unknown input\(s\) \['kmer'\]"):
        baseline_scorer("kmer", kmer=3)
