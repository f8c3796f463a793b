"""Exact masked marginals (docs/protocol.md §4) against the one-copy-at-a-time reference, per tokenisation; batching."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utr_assets import families
from utr_assets.corpus import build_tokeniser
from utr_assets.scoring.lm import LanguageModelScorer
from utr_assets_tests.scoring.naive_scoring import naive_base_probabilities

SMALL = dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)


def tiny_scorer(
    family: str, *, context: int = 24, overlap: int = 8, seed: int = 0, species: bool = False, **options
) -> LanguageModelScorer:
    """A random tiny model of ``family`` with a small context, so test sequences span several chunks."""
    torch.manual_seed(seed)
    from utr_assets.corpus import SpeciesVocabulary

    vocab = SpeciesVocabulary.from_names(["Homo_sapiens", "Mus_musculus"]) if species else None
    tok = build_tokeniser(
        family,
        species=vocab,
        sequences=["ACGTACGGTTAC" * 20] if family == "dnabert2" else None,
        vocab_size=40,
    )
    module = families.family(family)
    if family == "dss":
        cfg = module.build_config(
            "tiny",
            chunk_length=context,
            d_model=16,
            n_states=8,
            n_dss_layers=1,
            n_species=vocab.size if vocab else 0,
        )
    else:
        cfg = module.build_config("tiny", vocab_size=tok.vocab_size, max_position_embeddings=context, **SMALL)
    if species:  # the species the sequences are scored as: the reference's name in the species list
        options.setdefault("species", "Homo_sapiens")
    return LanguageModelScorer(module.build_model(cfg), tok, name=family, overlap=overlap, **options)


def random_sequences(lengths, seed=1, n_at=None):
    rng = np.random.default_rng(seed)
    seqs = ["".join(rng.choice(list("ACGT"), n)) for n in lengths]
    if n_at is not None:
        i, j = n_at
        seqs[i] = seqs[i][:j] + "N" + seqs[i][j + 1 :]
    return seqs


CASES = [
    ("dnabert", {}, (3, 6, 9, 40)),  # 40 nt = 35 tokens: 3 chunks of 22 content tokens
    ("nt", {}, (2, 7, 13, 100)),  # 100 nt: 17 tokens with a letter tail, 2 chunks of 23
    ("nt", {"probability_mode": "reference_aware"}, (2, 7, 100)),
    ("dss", {"rolling_stride": 7}, (5, 30, 61)),  # 61 nt: 3 chunks of 24
    ("dnabert", {"probability_mode": "unmasked"}, (3, 40)),
    ("nt", {"probability_mode": "unmasked"}, (7, 100)),
    ("dss", {"probability_mode": "unmasked"}, (5, 61)),
]


@pytest.mark.parametrize(
    ("family", "options", "lengths"),
    CASES,
    ids=["dnabert", "nt", "nt_reference", "dss", "dnabert_unmasked", "nt_unmasked", "dss_unmasked"],
)
def test_batched_marginals_equal_the_reference_loop(family, options, lengths):
    ctx = 24 if family != "dss" else 24
    scorer = tiny_scorer(family, context=ctx, overlap=8, **options)
    seqs = random_sequences(lengths, n_at=(len(lengths) - 1, 20))
    got = scorer.base_probabilities(seqs)
    for seq, p in zip(seqs, got, strict=True):
        ref = naive_base_probabilities(scorer, seq, stride=scorer.rolling_stride)
        assert p.shape == (len(seq), 4) and p.dtype == np.float32
        assert np.array_equal(np.isnan(p), np.isnan(ref))
        np.testing.assert_allclose(p, ref, atol=2e-6)
        finite = p[~np.isnan(p).any(axis=1)]
        assert ((finite >= 0) & (finite <= 1)).all()
        np.testing.assert_allclose(finite.sum(axis=1), 1.0, atol=1e-6)


def test_dnabert_shorter_than_k_is_nan_and_others_are_complete():
    scorer = tiny_scorer("dnabert")
    p = scorer.base_probabilities(["ACGTA", "ACGTAC", ""])
    assert np.isnan(p[0]).all() and p[2].shape == (0, 4)
    assert np.isfinite(p[1]).all()


@pytest.mark.slow
@pytest.mark.parametrize("family", ["dnabert", "nt", "dss"])
def test_batch_composition_does_not_change_results(family):
    scorer = tiny_scorer(family, context=24, overlap=8)
    seqs = random_sequences((12, 50, 31), seed=3)
    together = scorer.base_probabilities(seqs)
    small = tiny_scorer(family, context=24, overlap=8, max_tokens=24)  # same seed: same weights
    for seq, p in zip(seqs, together, strict=True):
        np.testing.assert_allclose(small.base_probabilities([seq])[0], p, atol=2e-6)


def test_dnabert_plan_masks_every_k_mer_of_the_position_and_reads_the_spec_offsets():
    scorer = tiny_scorer("dnabert", context=64)
    seq = random_sequences((14,))[0]  # T = 9 tokens, one chunk
    plan = scorer.plan([seq])
    assert np.array_equal(np.sort(plan.r_pos), np.arange(14))  # every position read exactly once
    for q in range(plan.n_copies):
        i = int(plan.r_pos[q])
        lo, hi = int(plan.mask_lo[q]), int(plan.mask_hi[q])
        # all tokens whose 6-mer contains i; at the ends, as the study's dna_bert_eval.py, the first 6 tokens
        # (inputs[:, 1:7] = mask, read at the first 6-mer) or the last 6 (the copy of position L-6)
        expected_span = (0, 5) if i < 5 else ((3, 8) if i >= 9 else (i - 5, i))
        assert (lo, hi) == expected_span
        token = int(plan.r_col[q]) - 1  # [CLS] first
        expected = 0 if i < 5 else (8 if i >= 9 else i - 3)
        assert token == expected and int(plan.r_slot[q]) == i - expected
        assert lo <= token <= hi


def test_dss_rolling_masks_each_position_once_in_stride_copies():
    scorer = tiny_scorer("dss", context=200, rolling_stride=50)
    plan = scorer.plan(random_sequences((120,)))
    assert plan.n_copies == 50 and np.array_equal(np.sort(plan.r_pos), np.arange(120))
    for q in (0, 7, 49):
        masked = np.arange(plan.mask_lo[q], plan.mask_hi[q] + 1, plan.mask_step[q])
        assert np.array_equal(masked, np.arange(q, 120, 50))
        assert np.array_equal(np.sort(plan.r_pos[plan.r_copy == q]), masked)


def test_species_aware_dss_scores_as_human():
    scorer = tiny_scorer("dss", species=True, rolling_stride=5)
    assert scorer.io.species_index == scorer.tokeniser.species.index("Homo_sapiens")
    seq = random_sequences((30,))[0]
    np.testing.assert_allclose(
        scorer.base_probabilities([seq])[0], naive_base_probabilities(scorer, seq, stride=5), atol=2e-6
    )


def test_marginal_is_the_sum_over_k_mers_with_the_base_at_the_offset():
    """A model whose output at every token is one k-mer: P puts all mass on that k-mer's bases."""
    scorer = tiny_scorer("dnabert", context=64)
    target = scorer.tokeniser.hf.convert_tokens_to_ids("GATTCA")
    with torch.no_grad():
        decoder = scorer.model.cls.predictions.decoder
        decoder.weight.zero_()
        scorer.model.cls.predictions.bias.zero_()
        scorer.model.cls.predictions.bias[target] = 50.0
    p = scorer.base_probabilities(["ACGTACGTACGTAC"])[0]
    L = 14
    offsets = [i if i < 5 else (i - (L - 6) if i >= L - 5 else 3) for i in range(L)]
    np.testing.assert_array_equal(p.argmax(axis=1), ["ACGT".index("GATTCA"[j]) for j in offsets])
    assert p.max(axis=1).min() > 0.999
