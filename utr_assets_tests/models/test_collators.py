"""Masking collators (docs/protocol.md §3): rates, spans, 80/10/10, specials never touched, frame protection, seeding."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utr_assets.corpus import build_tokeniser
from utr_assets.families import family
from utr_assets.models.collators import IGNORE_INDEX, SpecialIds, generator_for, pad_batch


@pytest.fixture(scope="module")
def dnabert_tok():
    return build_tokeniser("dnabert")


def _kmer_chunks(n: int, length: int, rng: np.random.Generator) -> list[np.ndarray]:
    # [CLS] k-mers [SEP] in the DNABERT layout (k-mers at 5..4100).
    return [np.concatenate([[2], rng.integers(5, 4101, length - 2), [3]]) for _ in range(n)]


def test_special_ids_from_tokenizer(dnabert_tok):
    ids = SpecialIds.of(dnabert_tok)
    assert (ids.vocab_size, ids.pad_id, ids.mask_id) == (4101, 0, 4)
    assert ids.special_ids == {0, 1, 2, 3, 4}
    assert ids.random_candidates().min() == 5 and len(ids.random_candidates()) == 4096


def test_token_masking_rate_and_80_10_10():
    ids = SpecialIds(4107, pad_id=1, mask_id=2, special_ids=frozenset({0, 1, 2, 3, 4105, 4106}))
    col = family("dnabert2").collator(ids)  # the random ids' distribution: test_nt_masking.py
    rng = np.random.default_rng(0)
    chunks = [np.concatenate([[3], rng.integers(4, 4105, 511)]) for _ in range(64)]
    b = col(chunks, generator=generator_for(1))
    chosen = b["labels"] != IGNORE_INDEX
    assert abs(chosen[:, 1:].float().mean().item() - 0.15) < 0.01
    assert not chosen[:, 0].any()  # <cls> never masked
    orig = torch.from_numpy(np.stack(chunks))
    assert torch.equal(b["labels"][chosen], orig[chosen])
    masked = (b["input_ids"] == 2) & chosen
    kept = (b["input_ids"] == orig) & chosen
    assert abs(masked.sum().item() / chosen.sum().item() - 0.8) < 0.02
    assert abs(kept.sum().item() / chosen.sum().item() - 0.1 - 0.1 / 4101) < 0.02
    assert torch.equal(b["input_ids"][~chosen], orig[~chosen])


def test_collator_is_a_function_of_the_generator_seed(dnabert_tok):
    col = family("dnabert").collator(dnabert_tok, mask_rate=0.1)
    chunks = _kmer_chunks(4, 128, np.random.default_rng(0))
    a, b = col(chunks, generator=generator_for(3, 5)), col(chunks, generator=generator_for(3, 5))
    c = col(chunks, generator=generator_for(3, 6))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["labels"], c["labels"])


@pytest.mark.parametrize(("rate", "expected"), [(0.025, 1 - 0.975**6), (0.15, 1 - 0.85**6)])
def test_dnabert_span_masking_fraction(dnabert_tok, rate, expected):
    col = family("dnabert").collator(dnabert_tok, mask_rate=rate)
    b = col(_kmer_chunks(64, 512, np.random.default_rng(1)), generator=generator_for(0))
    chosen = b["labels"] != IGNORE_INDEX
    assert not chosen[:, 0].any() and not chosen[:, -1].any()
    assert abs(chosen[:, 8:-8].float().mean().item() - expected) < 0.02


def test_dnabert_spans_are_whole_kmer_windows(dnabert_tok):
    col = family("dnabert").collator(dnabert_tok, mask_rate=0.005)
    b = col(_kmer_chunks(32, 512, np.random.default_rng(2)), generator=generator_for(0))
    chosen = (b["labels"] != IGNORE_INDEX).numpy()
    for row in chosen:
        padded = np.concatenate([[0], row[1:-1].astype(int), [0]])
        edges = np.flatnonzero(np.diff(padded))
        runs = edges[1::2] - edges[::2]
        starts = edges[::2]
        interior = (starts > 2) & (edges[1::2] < len(row) - 6)
        # a run is one or more overlapping 6-token windows: never shorter than 6 away from the ends
        assert (runs[interior] >= 6).all()


def test_dnabert_never_masks_unk(dnabert_tok):
    chunk = np.concatenate([[2], np.full(100, 1), [3]])  # all [UNK] (k-mers with N)
    b = family("dnabert").collator(dnabert_tok, mask_rate=0.5)([chunk], generator=generator_for(0))
    assert (b["labels"] == IGNORE_INDEX).all()


def test_dss_frame_protected_masking():
    tok = build_tokeniser("dss")
    col = family("dss").collator(tok)
    rng = np.random.default_rng(0)
    chunks = [rng.integers(0, 5, 300) for _ in range(64)] + [rng.integers(0, 4, 100)]
    b = col(chunks, generator=generator_for(0))
    chosen = b["labels"] != IGNORE_INDEX
    assert not chosen[:, :30].any() and not chosen[:64, 270:].any() and not chosen[64, 70:].any()
    orig = b["labels"][chosen]
    assert orig.max() <= 3  # N (4) is never a target
    eligible = torch.from_numpy(np.stack(chunks[:64]))[:, 30:270] < 4
    assert abs(chosen[:64, 30:270].sum().item() / eligible.sum().item() - 0.15) < 0.01
    inp = b["input_ids"][chosen]
    assert abs((inp == tok.hf.mask_token_id).float().mean().item() - 0.8) < 0.03
    assert inp[inp != tok.hf.mask_token_id].max() <= 3  # random replacements are bases
    assert (b["input_ids"][64, 100:] == tok.hf.pad_token_id).all()


def test_pad_batch_species():
    b = pad_batch([{"input_ids": [1, 2, 3], "species": 4}, {"input_ids": [1], "species": 0}], pad_id=9)
    assert b["input_ids"].tolist() == [[1, 2, 3], [1, 9, 9]]
    assert b["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]
    assert b["species_ids"].tolist() == [4, 0]
    with pytest.raises(ValueError, match="species"):
        pad_batch([{"input_ids": [1], "species": 1}, {"input_ids": [1]}], pad_id=0)
