"""Embeddings (masked mean over real tokens, mean over chunks / truncation) and reconstruction losses."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utr_assets.scoring.base import ScoringError
from utr_assets_tests.scoring.test_scoring_marginals import random_sequences, tiny_scorer


def _manual_chunk_mean(scorer, ids):
    with torch.no_grad():
        out = scorer.model(input_ids=torch.tensor([ids]), output_hidden_states=True)
    return out.hidden_states[-1][0], out.logits[0]


@pytest.mark.parametrize("family", ["dnabert", "nt", "dnabert2", "dss"])
def test_embedding_is_the_mean_over_content_tokens_and_ignores_padding(family):
    scorer = tiny_scorer(family, context=64)
    short, long = random_sequences((20, 60), seed=5)
    alone = scorer.embeddings([short])
    padded = scorer.embeddings([long, short])  # short is right-padded next to long (not for dss)
    assert alone.shape == (1, scorer.hidden_size) and padded.shape == (2, scorer.hidden_size)
    np.testing.assert_allclose(padded[1], alone[0], atol=1e-5)
    tok = scorer.tokeniser
    content = [int(x) for x in tok.encode_batch([short]).ids]
    h, _ = _manual_chunk_mean(scorer, [*tok.prefix_ids, *content, *tok.suffix_ids])
    n_pre = len(tok.prefix_ids)
    np.testing.assert_allclose(alone[0], h[n_pre : n_pre + len(content)].mean(0).numpy(), atol=1e-5)


def test_long_sequences_average_chunks_or_truncate():
    scorer = tiny_scorer("nt", context=12, overlap=2)  # 11 content tokens per chunk
    seq = random_sequences((120,), seed=2)[0]  # 20 tokens -> 2 chunks
    tokens, chunks = scorer._chunks([seq])
    assert len(chunks) == 2
    per_chunk = []
    for c in range(2):
        ids, starts, _ = chunks.chunk(c)
        h, _ = _manual_chunk_mean(scorer, [int(x) for x in ids])
        per_chunk.append(h[starts >= 0].mean(0).numpy())
    np.testing.assert_allclose(scorer.embeddings([seq])[0], np.mean(per_chunk, axis=0), atol=1e-5)
    np.testing.assert_allclose(scorer.embeddings([seq], mode="truncate")[0], per_chunk[0], atol=1e-5)
    with pytest.raises(ScoringError):
        scorer.embeddings([seq], mode="first")


def test_loss_is_the_unmasked_cross_entropy_of_content_tokens():
    scorer = tiny_scorer("dnabert", context=64)
    seq = random_sequences((30,), seed=4)[0]
    ids = [int(x) for x in scorer.tokeniser.encode_batch([seq]).ids]
    _, logits = _manual_chunk_mean(scorer, [2, *ids, 3])
    expected = torch.nn.functional.cross_entropy(logits[1:-1], torch.tensor(ids)).item()
    emb, loss = scorer.embeddings_and_loss([seq, "ACG"])
    assert loss[0] == pytest.approx(expected, rel=1e-5)
    assert np.isnan(loss[1]) and np.isnan(emb[1]).all()  # shorter than k: no token, NaN row (documented)
    np.testing.assert_allclose(scorer.reconstruction_loss([seq]), loss[:1], rtol=1e-6)


def test_loss_counts_each_token_once_across_overlapping_chunks():
    scorer = tiny_scorer("dss", context=24, overlap=8)
    seq = random_sequences((40,), seed=6)[0]
    tokens, chunks = scorer._chunks([seq])
    _, target_ok = scorer._token_masks(tokens, chunks)
    assert target_ok.sum() == 40  # every nucleotide once, though chunks overlap


def test_bpe_scorer_has_no_probabilities():
    scorer = tiny_scorer("dnabert2", context=32)
    assert "probabilities" not in scorer.capabilities and "embeddings" in scorer.capabilities
    with pytest.raises(ScoringError, match="probabilities"):
        scorer.base_probabilities(["ACGT"])
