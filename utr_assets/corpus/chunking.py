"""Cutting tokenised sequences into model-context chunks (docs/protocol.md §3), with the token -> nucleotide map.

What belongs here: window placement (overlap, left-filled last chunk), adding the family's special
tokens, the ragged `ChunkBatch` result, and the chunk specs a family's description implies
(`paper_chunk_spec`, `training_chunk_spec`). Not here: producing tokens (`kmers.py`, `tokenisers.py`),
the numbers themselves (each family's ``chunks`` in utr_assets/families/).

Conventions:
- ``ChunkSpec.context`` counts every token of a chunk, specials included (DNABERT 512 = [CLS] + 510
  k-mers + [SEP]); for the single-nucleotide family tokens are nucleotides (no specials).
- ``overlap`` counts content tokens shared by consecutive chunks. Windows start at 0, stride
  ``size - overlap`` (size = content tokens per chunk); the last window is moved left to end exactly at
  the last token ("left-filled from its predecessor"), so every chunk is full and it overlaps its
  predecessor by at least ``overlap``. A sequence with at most ``size`` tokens gives one shorter
  chunk (padding is the collator's job); a sequence with no content token gives no chunk.
- Spans: per output token, [start, end) in nucleotides of the original sequence, 0-based; special
  tokens have start = end = -1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from utr_assets.corpus.kmers import TokenBatch, ragged_arange
from utr_assets.families import family

SPECIAL_SPAN = -1


@dataclass(frozen=True)
class ChunkSpec:
    context: int  # tokens per chunk, specials included (nucleotides for the single-nucleotide family)
    overlap: int  # content tokens shared by consecutive chunks

    def content_size(self, n_special: int) -> int:
        size = self.context - n_special
        if size <= 0:
            raise ValueError(f"context {self.context} leaves no room next to {n_special} special tokens")
        if not 0 <= self.overlap < size:
            raise ValueError(f"overlap {self.overlap} must be in [0, {size})")
        return size


def paper_chunk_spec(family_name: str) -> ChunkSpec:
    """The study's context and overlap of a family (docs/protocol.md §3; its description's ``chunks``)."""
    rule = family(family_name).chunks
    if rule is None:
        raise ValueError(f"the {family_name} family is not chunked (not a language model)")
    return ChunkSpec(rule.context, rule.overlap)


def training_chunk_spec(family_name: str, preset: str) -> ChunkSpec:
    """The chunks a model of ``preset`` trains on: the preset's context, the study's overlap capped at a
    quarter of it (small presets use the same rule with smaller numbers)."""
    context = family(family_name).context_length(preset)
    return ChunkSpec(context, min(paper_chunk_spec(family_name).overlap, context // 4))


def window_starts(
    n_tokens: np.ndarray | Sequence[int], size: int, overlap: int
) -> tuple[np.ndarray, np.ndarray]:
    """(windows per sequence, first content-token index of every window, flattened in sequence order)."""
    n = np.asarray(n_tokens, dtype=np.int64)
    stride = size - overlap
    if stride <= 0:
        raise ValueError("overlap must be smaller than the chunk size")
    excess = n - size
    per_seq = np.where(excess > 0, -(-excess // stride) + 1, (n > 0).astype(np.int64))
    j = ragged_arange(np.zeros(len(n), dtype=np.int64), per_seq)
    starts = j * stride
    last = np.cumsum(per_seq) - 1
    has = per_seq > 0
    starts[last[has]] = np.maximum(excess[has], 0)
    return per_seq, starts


@dataclass(frozen=True)
class ChunkBatch:
    """Chunks of a TokenBatch, flattened: chunk c owns rows ``offsets[c]:offsets[c+1]``."""

    ids: np.ndarray  # int32, specials included
    starts: np.ndarray  # int32, nucleotide start; -1 for specials
    ends: np.ndarray  # int32, nucleotide end (exclusive); -1 for specials
    offsets: np.ndarray  # int64, n_chunks + 1
    sequence: np.ndarray  # int64 per chunk: index of its sequence in the input batch
    chunk_index: np.ndarray  # int32 per chunk: 0.. within its sequence
    n_chunks: np.ndarray  # int32 per chunk: chunks of its sequence
    token_start: np.ndarray  # int32 per chunk: index of its first content token in the sequence's tokens

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def chunk(self, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lo, hi = int(self.offsets[c]), int(self.offsets[c + 1])
        return self.ids[lo:hi], self.starts[lo:hi], self.ends[lo:hi]


def chunk_batch(
    tokens: TokenBatch, spec: ChunkSpec, prefix_ids: Sequence[int] = (), suffix_ids: Sequence[int] = ()
) -> ChunkBatch:
    """Cut every sequence of ``tokens`` into chunks of ``spec`` and wrap each in the special tokens."""
    n_pre, n_suf = len(prefix_ids), len(suffix_ids)
    size = spec.content_size(n_pre + n_suf)
    counts = tokens.counts()
    per_seq, win = window_starts(counts, size, spec.overlap)
    seq_of_chunk = np.repeat(np.arange(len(counts), dtype=np.int64), per_seq)
    lens = np.minimum(counts[seq_of_chunk], size)
    src = ragged_arange(tokens.offsets[:-1][seq_of_chunk] + win, lens)

    out_offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens + n_pre + n_suf, out=out_offsets[1:])
    total = int(out_offsets[-1])
    ids = np.empty(total, dtype=np.int32)
    starts = np.full(total, SPECIAL_SPAN, dtype=np.int32)
    ends = np.full(total, SPECIAL_SPAN, dtype=np.int32)
    dst = ragged_arange(out_offsets[:-1] + n_pre, lens)
    ids[dst] = tokens.ids[src]
    starts[dst] = tokens.starts[src]
    ends[dst] = tokens.ends[src]
    for j, token in enumerate(prefix_ids):
        ids[out_offsets[:-1] + j] = token
    for j, token in enumerate(suffix_ids):
        ids[out_offsets[:-1] + n_pre + lens + j] = token

    first = np.zeros(len(per_seq), dtype=np.int64)
    np.cumsum(per_seq[:-1], out=first[1:])
    chunk_index = np.arange(len(seq_of_chunk), dtype=np.int64) - np.repeat(first, per_seq)
    return ChunkBatch(
        ids,
        starts,
        ends,
        out_offsets,
        seq_of_chunk,
        chunk_index.astype(np.int32),
        per_seq[seq_of_chunk].astype(np.int32),
        win.astype(np.int32),
    )
