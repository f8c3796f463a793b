"""Loading scorers from registry entries: trained checkpoints, local pretrained, pickle refusal, baselines."""

from __future__ import annotations

import numpy as np
import pytest

from utr_assets.model_registry import ModelEntry
from utr_assets.models.checkpoints import export_hf
from utr_assets.scoring.base import ScoringError, UnsafeCheckpointError
from utr_assets.scoring.loading import load_scorer
from utr_assets_tests.scoring.test_scoring_marginals import random_sequences, tiny_scorer


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.parametrize("family", ["dnabert", "dss"])
def test_saved_checkpoint_scores_like_the_model_it_was_saved_from(tmp_path, family):
    original = tiny_scorer(family, context=32)
    export_hf(original.model, original.tokeniser, tmp_path / "ckpt")
    entry = ModelEntry(slug="m", kind="trained", family=family, presets={"sample": "tiny"})
    loaded = load_scorer(entry, tmp_path / "ckpt", "cpu")
    seqs = random_sequences((25,))
    np.testing.assert_allclose(
        loaded.base_probabilities(seqs)[0], original.base_probabilities(seqs)[0], atol=1e-6
    )
    assert loaded.hidden_size == original.hidden_size


def test_pretrained_local_directory_with_plain_hf_tokenizer(tmp_path):
    original = tiny_scorer("nt", context=32)
    original.model.save_pretrained(tmp_path / "nt", safe_serialization=True)
    original.tokeniser.hf.save_pretrained(tmp_path / "nt")  # no utr_tokeniser.json: an external checkpoint
    entry = ModelEntry(slug="nt-ext", kind="pretrained", family="nt", source=str(tmp_path / "nt"))
    loaded = load_scorer(entry, None, "cpu", probability_mode="reference_aware")
    seq = random_sequences((20,))
    np.testing.assert_allclose(loaded.embeddings(seq), original.embeddings(seq), atol=1e-6)
    assert loaded.probability_mode == "reference_aware"


def test_pickle_only_checkpoints_are_refused(tmp_path):
    original = tiny_scorer("dnabert", context=32)
    original.model.save_pretrained(tmp_path / "p", safe_serialization=False)
    for f in (tmp_path / "p").glob("*.safetensors"):
        f.unlink()
    (tmp_path / "p" / "pytorch_model.bin").touch()
    entry = ModelEntry(slug="p", kind="pretrained", family="dnabert", source=str(tmp_path / "p"))
    with pytest.raises(UnsafeCheckpointError, match="pickle"):
        load_scorer(entry, None, "cpu")


def test_trained_entry_needs_a_checkpoint_and_baselines_their_inputs():
    trained = ModelEntry(slug="t", kind="trained", family="dnabert", presets={"sample": "tiny"})
    with pytest.raises(ScoringError, match="checkpoint"):
        load_scorer(trained, None)
    with pytest.raises(ScoringError, match="alignments"):
        load_scorer(ModelEntry(slug="z", kind="baseline", family="zoo_al"))
    kmer = load_scorer(ModelEntry(slug="k", kind="baseline", family="kmer"), kmer_k=3)
    assert kmer.hidden_size == 64 and kmer.embeddings(["ACGTACG"]).shape == (1, 64)
