"""NT's and DNABERT-2's training masking against the study's (docs/protocol.md §3; study:
models/zoonomia/ntrans/main_parallel.py:118 and dnabert2/main_parallel.py:119, transformers 4.29.2
DataCollatorForLanguageModeling): 15% of the non-special tokens, of those 80% <mask>, 10% a token drawn uniformly from the WHOLE vocabulary (``torch.randint(len(tokenizer))``, specials
included), 10% kept. Expected frequencies are derived from those rules, not from our collator."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utr_assets.corpus import build_tokeniser
from utr_assets.families import family
from utr_assets.models.collators import IGNORE_INDEX, SpecialIds, generator_for

# A vocabulary of 8 ids, specials 0..3 (<unk> <pad> <mask> <cls>), content 4..7.
SMALL = SpecialIds(8, pad_id=1, mask_id=2, special_ids=frozenset({0, 1, 2, 3}))


def _chosen_inputs(col, n_rows: int = 400, width: int = 501) -> tuple[torch.Tensor, torch.Tensor]:
    chunks = [np.concatenate([[3], np.full(width - 1, 7)]) for _ in range(n_rows)]  # <cls> then id 7
    b = col(chunks, generator=generator_for(11))
    chosen = b["labels"] != IGNORE_INDEX
    return b["input_ids"][chosen], chosen


@pytest.mark.parametrize("name", ["nt", "dnabert2"])  # study: ntrans/ and dnabert2/main_parallel.py
def test_random_replacements_cover_the_whole_vocabulary_as_the_study(name: str):
    col = family(name).collator(SMALL, mask_rate=1.0)
    inputs, chosen = _chosen_inputs(col)
    assert not chosen[:, 0].any()  # <cls> is never a target
    freq = torch.bincount(inputs, minlength=8).double() / len(inputs)
    # study: P(<mask>) = 0.8 + 0.1/8, P(original) = 0.1 + 0.1/8, any other id (specials too) 0.1/8
    expected = torch.full((8,), 0.1 / 8, dtype=torch.float64)
    expected[2] += 0.8
    expected[7] += 0.1
    assert torch.allclose(freq, expected, atol=0.002), freq  # n = 200,000 draws: SE <= 0.0009


def test_nt_collator_on_the_nt_tokenizer_draws_every_id():
    tok = build_tokeniser("nt")
    col = family("nt").collator(tok)
    draws = col.random_tokens(torch.Size([200_000]), generator_for(5))
    assert draws.min().item() == 0 and draws.max().item() == len(tok.hf) - 1
    assert len(torch.unique(draws)) == len(tok.hf)  # 4,107 ids, ~49 draws each
