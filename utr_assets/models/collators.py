"""Masking collators of docs/protocol.md §3: turn chunks of token ids into (input_ids, attention_mask, labels) batches.

What belongs here: the three masking schemes (DNABERT whole-k-mer span masking, 15% token masking
for DNABERT-2/NT, DSS frame-protected masking) and the special-id bookkeeping they share. Not here:
tokenisers (utr_assets.corpus) or models.

Conventions:
- an example is a 1-D sequence of token ids, or a mapping with ``input_ids`` and optionally
  ``species`` (int); batches are right-padded with the pad id and carry ``species_ids`` when given;
- labels are the original id where a token is to be predicted and -100 elsewhere;
- special tokens ([PAD] [CLS] [SEP] [MASK] [UNK] ...) are never masked, never centres of a span and
  never drawn as random replacements;
- all randomness comes from the ``generator`` passed to ``__call__`` (or the collator's own seeded
  one), never from torch's global RNG, so a batch is a pure function of (examples, generator seed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

IGNORE_INDEX = -100


@dataclass(frozen=True)
class SpecialIds:
    """What a collator needs from a tokenizer: vocabulary size and special-token ids."""

    vocab_size: int
    pad_id: int
    mask_id: int
    special_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, source: Any) -> SpecialIds:
        """From a SpecialIds, a corpus Tokeniser or any HF tokenizer (``len``, ``pad_token_id``, ``mask_token_id``, ``all_special_ids``)."""
        if isinstance(source, SpecialIds):
            return source
        source = getattr(source, "hf", source)  # a utr_assets.corpus Tokeniser wraps its HF tokenizer
        if source.pad_token_id is None or source.mask_token_id is None:
            raise ValueError("the tokenizer needs a pad token and a mask token for masked-LM training")
        specials = frozenset(int(i) for i in source.all_special_ids)
        return cls(len(source), int(source.pad_token_id), int(source.mask_token_id), specials)

    def random_candidates(self) -> torch.Tensor:
        """Ids a masked token may be replaced by (the 10% random branch): every non-special id."""
        ids = [i for i in range(self.vocab_size) if i not in self.special_ids | {self.pad_id, self.mask_id}]
        return torch.tensor(ids, dtype=torch.long)


def pad_batch(examples: Sequence[Any], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad examples into ``input_ids``/``attention_mask`` (+ ``species_ids`` when every example has one)."""
    rows, species = [], []
    for ex in examples:
        if isinstance(ex, Mapping):
            rows.append(np.asarray(ex["input_ids"], dtype=np.int64))
            species.append(ex.get("species"))
        else:
            rows.append(np.asarray(ex, dtype=np.int64))
            species.append(None)
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.from_numpy(r)
        mask[i, : len(r)] = 1
    batch = {"input_ids": ids, "attention_mask": mask}
    if any(s is not None for s in species):
        if any(s is None for s in species):
            raise ValueError("either every example of a batch has a species index or none has")
        batch["species_ids"] = torch.tensor([int(s) for s in species if s is not None], dtype=torch.long)
    return batch


class _MaskingCollator:
    def __init__(self, ids: SpecialIds, seed: int = 0) -> None:
        self.ids = ids
        self._generator = torch.Generator().manual_seed(seed)
        self._random = ids.random_candidates()

    def select(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, g: torch.Generator
    ) -> torch.Tensor:
        raise NotImplementedError

    def maskable(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        special = torch.isin(
            input_ids, torch.tensor(sorted(self.ids.special_ids | {self.ids.pad_id}), dtype=torch.long)
        )
        return attention_mask.bool() & ~special

    def random_tokens(self, shape: torch.Size, g: torch.Generator) -> torch.Tensor:
        return self._random[torch.randint(len(self._random), shape, generator=g)]

    def __call__(
        self, examples: Sequence[Any], generator: torch.Generator | None = None
    ) -> dict[str, torch.Tensor]:
        g = generator if generator is not None else self._generator
        batch = pad_batch(examples, self.ids.pad_id)
        ids = batch["input_ids"]
        chosen = self.select(ids, batch["attention_mask"], g)
        labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE_INDEX))
        # 80/10/10: one uniform draw per chosen position decides mask / random / keep.
        u = torch.rand(ids.shape, generator=g)
        replaced = ids.clone()
        replaced[chosen & (u < 0.8)] = self.ids.mask_id
        rand_pos = chosen & (u >= 0.8) & (u < 0.9)
        replaced[rand_pos] = self.random_tokens(ids.shape, g)[rand_pos]
        batch["input_ids"] = replaced
        batch["labels"] = labels
        return batch


class TokenMaskingCollator(_MaskingCollator):
    """BERT-style masking as the study trained NT and DNABERT-2 (transformers' `DataCollatorForLanguageModeling`,
    models/zoonomia/{ntrans,dnabert2}/main_parallel.py:118/119): each non-special token is chosen with
    probability ``mask_rate`` (default 15%); 80/10/10, the random 10% drawn uniformly from the WHOLE
    vocabulary, specials included (transformers 4.29.2 `torch_mask_tokens`: ``torch.randint(len(tokenizer))``)."""

    def __init__(self, ids: SpecialIds, mask_rate: float = 0.15, seed: int = 0) -> None:
        super().__init__(ids, seed)
        self.mask_rate = mask_rate

    def select(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, g: torch.Generator
    ) -> torch.Tensor:
        return (torch.rand(input_ids.shape, generator=g) < self.mask_rate) & self.maskable(
            input_ids, attention_mask
        )

    def random_tokens(self, shape: torch.Size, g: torch.Generator) -> torch.Tensor:
        return torch.randint(self.ids.vocab_size, shape, generator=g)


class KmerSpanMaskingCollator(_MaskingCollator):
    """DNABERT masking: span centres chosen with probability ``mask_rate``; the k tokens sharing a nucleotide
    with the centre's middle base (offsets -(k//2-1)..+k//2, i.e. -2..+3 for k=6) are masked together,
    clipped to maskable tokens. Expected masked fraction ~ 1-(1-p)^k (p=0.025 -> ~14%; p=0.15 -> ~62%)."""

    def __init__(self, ids: SpecialIds, mask_rate: float = 0.025, k: int = 6, seed: int = 0) -> None:
        super().__init__(ids, seed)
        self.mask_rate = mask_rate
        self.offsets = range(-(k // 2 - 1), k // 2 + 1)

    def select(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, g: torch.Generator
    ) -> torch.Tensor:
        maskable = self.maskable(input_ids, attention_mask)
        centres = (torch.rand(input_ids.shape, generator=g) < self.mask_rate) & maskable
        chosen = torch.zeros_like(centres)
        width = input_ids.shape[1]
        for off in self.offsets:  # chosen[i + off] |= centres[i]
            if off >= 0:
                chosen[:, off:] |= centres[:, : width - off]
            else:
                chosen[:, :off] |= centres[:, -off:]
        return chosen & maskable


class NucleotideMaskingCollator(_MaskingCollator):
    """DSS masking: ``mask_rate`` of the A/C/G/T positions at least ``edge`` nt away from both ends of the chunk
    (its non-pad extent); 80% become the mask id (an all-zero one-hot input), 10% a random base, 10% kept.
    Ids follow the single-nucleotide vocabulary: A C G T N = 0..4 (N is never a target)."""

    def __init__(
        self, ids: SpecialIds, mask_rate: float = 0.15, edge: int = 30, n_bases: int = 4, seed: int = 0
    ) -> None:
        super().__init__(ids, seed)
        self.mask_rate, self.edge = mask_rate, edge
        self._random = torch.arange(n_bases)
        self.n_bases = n_bases

    def select(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, g: torch.Generator
    ) -> torch.Tensor:
        pos = torch.arange(input_ids.shape[1]).expand_as(input_ids)
        length = attention_mask.sum(dim=1, keepdim=True)
        inside = (pos >= self.edge) & (pos < length - self.edge)
        bases = (input_ids >= 0) & (input_ids < self.n_bases)
        return (torch.rand(input_ids.shape, generator=g) < self.mask_rate) & inside & bases


def generator_for(*keys: int) -> torch.Generator:
    """A torch generator whose seed is derived from integer keys (seed, step, micro-batch, rank, ...)."""
    state = np.random.SeedSequence([int(k) for k in keys]).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))
