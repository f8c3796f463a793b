"""Masked-copy plans for exact per-base marginals (docs/protocol.md §4), one per tokenisation: pure numpy, no torch.

What belongs here: which copies of which chunk to run, which tokens each copy masks, and where each
nucleotide's distribution is read. Not here: the tables that turn token probabilities into
P(A, C, G, T) (`readout_tables.py`), running the model (`lm.py`), tokenising and chunking (utr_assets.corpus).

Plans (token t covers nucleotides [starts[t], ends[t]) of its sequence; k = 6):
- ``dnabert``: one copy per position i, masking the k-mer tokens i-5..i (T = L-5 tokens: all tokens
  containing i); read at token i-3, offset 3 (the centre of a training span, offsets -2..+3). Ends, as
  the study's `dna_bert_eval.py`: i < 5 masks the first 6 tokens 0..5 and reads token 0 at offset i;
  i >= L-5 masks the last 6 tokens T-6..T-1 and reads token T-1 at offset i-(T-1) (fewer when T < 6).
  L < k: no token, NaN rows. P(b) = sum of the probabilities of all 6-mers with b at that offset.
- ``nt``: one copy per token, masking it; each of its nucleotides reads the token at its offset:
  6-mers sum the 6-mers with b at the offset, single-letter tokens read the letter tokens A C G T.
- ``nt_reference`` (mode reference_aware): the single unmasked pass per chunk; P(b at offset j) =
  probability of the token obtained by substituting b at j (single letters: the letter token b).
- ``unmasked`` (any masked plan): the same readouts (column, slot, chunk) taken from one unmasked pass
  per chunk instead of from masked copies; with the k-mer sums for ``unmasked``, with token
  substitution for ``reference_aware`` (both read from the same passes: `run_plan_modes`).
- ``rolling``: single-nucleotide models; copy q of a chunk masks its positions q, q+stride, ...
  (stride 50), so each position is masked once in ``stride`` copies; it is read where it is masked.
Every masked token set lies inside one chunk; among the chunks that contain it, the one where it is
farthest from an edge is used (chunks overlap, docs/protocol.md §3). Every position is read exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from utr_assets.corpus.chunking import ChunkBatch
from utr_assets.corpus.kmers import TokenBatch, ragged_arange

ROLLING_STRIDE = 50
MARGINAL, SUBSTITUTE = "marginal", "substitute"


@dataclass(frozen=True)
class MaskPlan:
    """Copies grouped by chunk (ascending); readouts grouped by copy (ascending).

    Copy q runs chunk ``copy_chunk[q]`` with content tokens ``mask_lo[q], mask_lo[q] + mask_step[q], ...
    <= mask_hi[q]`` (chunk-content indices) replaced by the mask token; lo > hi masks nothing.
    Readout r takes the output at input column ``r_col[r]`` of copy ``r_copy[r]`` (specials counted),
    reduces it with table slot ``r_slot[r]`` and is P[r_pos[r]] of sequence ``r_seq[r]``.
    """

    chunks: ChunkBatch
    n_prefix: int
    copy_chunk: np.ndarray
    mask_lo: np.ndarray
    mask_hi: np.ndarray
    mask_step: np.ndarray
    r_copy: np.ndarray
    r_col: np.ndarray
    r_slot: np.ndarray
    r_seq: np.ndarray
    r_pos: np.ndarray
    r_ref_id: np.ndarray  # the token id at the readout column (substitution mode)
    mode: str = MARGINAL

    @property
    def n_copies(self) -> int:
        return len(self.copy_chunk)


def content_counts(chunks: ChunkBatch, n_special: int) -> np.ndarray:
    return np.diff(chunks.offsets) - n_special


def assign_chunks(
    chunks: ChunkBatch, n_special: int, seq: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """For items needing content tokens [lo, hi] of sequence ``seq``: the chunk containing them with the
    largest margin to its edges (first such chunk on ties). Raises if no chunk contains an item."""
    n_seq = int(seq.max()) + 1 if len(seq) else 0
    first = np.searchsorted(chunks.sequence, np.arange(max(n_seq, 1)))
    per_seq = np.bincount(chunks.sequence, minlength=n_seq)
    n = content_counts(chunks, n_special)
    best = np.full(len(seq), -1, dtype=np.int64)
    best_margin = np.full(len(seq), -1, dtype=np.int64)
    for j in range(int(per_seq.max()) if len(per_seq) else 0):
        ok = j < per_seq[seq]
        c = np.where(ok, first[seq] + j, 0)
        ts = chunks.token_start[c].astype(np.int64)
        margin = np.minimum(lo - ts, ts + n[c] - 1 - hi)
        better = ok & (margin >= 0) & (margin > best_margin)
        best[better], best_margin[better] = c[better], margin[better]
    if (best < 0).any():
        raise ValueError("a masked span does not fit in any chunk: chunk overlap is smaller than the span")
    return best


def _group(copy_chunk: np.ndarray, copy_key: np.ndarray) -> np.ndarray:
    """Order of copies: by chunk, then by key."""
    return np.lexsort((copy_key, copy_chunk))


def _positions(tokens: TokenBatch, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sequence, position) of every nucleotide of every sequence that has at least one token."""
    has = tokens.counts() > 0
    lens = np.where(has, lengths, 0)
    seq = np.repeat(np.arange(len(lengths)), lens)
    return seq, ragged_arange(np.zeros(len(lens), dtype=np.int64), lens).astype(np.int64)


def _finish(
    chunks,
    n_prefix,
    n_special,
    copy_chunk,
    lo,
    hi,
    step,
    key,
    r_copy_of_item,
    r_tok,
    r_slot,
    r_seq,
    r_pos,
    tokens,
    mode=MARGINAL,
) -> MaskPlan:
    """Sort copies by chunk, renumber readouts, convert token indices to columns."""
    order = _group(copy_chunk, key)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    r_copy = rank[r_copy_of_item]
    ro = np.lexsort((r_pos, r_copy))
    ts = chunks.token_start[copy_chunk].astype(np.int64)
    r_chunk = copy_chunk[r_copy_of_item]
    col = n_prefix + r_tok - chunks.token_start[r_chunk]
    ref_id = tokens.ids[tokens.offsets[r_seq] + r_tok]
    return MaskPlan(
        chunks,
        n_prefix,
        copy_chunk[order],
        (lo - ts)[order],
        (hi - ts)[order],
        step[order],
        r_copy[ro],
        col[ro].astype(np.int64),
        r_slot[ro],
        r_seq[ro],
        r_pos[ro],
        ref_id[ro],
        mode,
    )


def plan_dnabert(
    tokens: TokenBatch, lengths: np.ndarray, chunks: ChunkBatch, n_prefix: int, n_special: int, k: int = 6
) -> MaskPlan:
    seq, i = _positions(tokens, lengths)
    T = tokens.counts()[seq].astype(np.int64)  # tokens = L - k + 1
    L = T + k - 1
    lo, hi = np.maximum(0, i - (k - 1)), np.minimum(i, T - 1)
    head, tail = i < k - 1, i >= L - (k - 1)  # the study masks k tokens at each end, one span for 5 positions
    lo, hi = (
        np.where(head, 0, np.where(tail, np.maximum(0, T - k), lo)),
        np.where(head, np.minimum(k - 1, T - 1), np.where(tail, T - 1, hi)),
    )
    centre = k // 2  # offset 3 for k = 6
    t = np.where(i < k - 1, 0, np.where(i >= L - (k - 1), T - 1, i - centre))
    slot = i - t
    chunk = assign_chunks(chunks, n_special, seq, lo, hi)
    item = np.arange(len(i))
    return _finish(
        chunks, n_prefix, n_special, chunk, lo, hi, np.ones_like(lo), i, item, t, slot, seq, i, tokens
    )


def _token_items(tokens: TokenBatch) -> tuple[np.ndarray, np.ndarray]:
    counts = tokens.counts()
    seq = np.repeat(np.arange(len(counts)), counts)
    return seq, ragged_arange(np.zeros(len(counts), dtype=np.int64), counts).astype(np.int64)


def _nucleotides_of_tokens(tokens: TokenBatch, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(token item, nucleotide position, slot) for every nucleotide; slot = offset for k-mers, k for letters."""
    width = (tokens.ends - tokens.starts).astype(np.int64)
    item = np.repeat(np.arange(len(width)), width)
    offset = ragged_arange(np.zeros(len(width), dtype=np.int64), width).astype(np.int64)
    pos = tokens.starts[item].astype(np.int64) + offset
    slot = np.where(width[item] == k, offset, k)
    return item, pos, slot


def plan_nt(tokens: TokenBatch, chunks: ChunkBatch, n_prefix: int, n_special: int, k: int = 6) -> MaskPlan:
    seq, t = _token_items(tokens)
    chunk = assign_chunks(chunks, n_special, seq, t, t)
    item, pos, slot = _nucleotides_of_tokens(tokens, k)
    return _finish(
        chunks,
        n_prefix,
        n_special,
        chunk,
        t,
        t,
        np.ones_like(t),
        t,
        item,
        t[item],
        slot,
        seq[item],
        pos,
        tokens,
    )


def plan_nt_reference(
    tokens: TokenBatch, chunks: ChunkBatch, n_prefix: int, n_special: int, k: int = 6
) -> MaskPlan:
    return unmasked_plan(plan_nt(tokens, chunks, n_prefix, n_special, k), SUBSTITUTE)


def unmasked_plan(plan: MaskPlan, mode: str = MARGINAL) -> MaskPlan:
    """``plan``'s readouts from one unmasked pass per chunk that has readouts (copies mask nothing)."""
    chunk_of_r = plan.copy_chunk[plan.r_copy]
    used = np.unique(chunk_of_r)
    copy_of_chunk = np.full(len(plan.chunks), -1, dtype=np.int64)
    copy_of_chunk[used] = np.arange(len(used))
    r_copy = copy_of_chunk[chunk_of_r]
    o = np.lexsort((plan.r_pos, r_copy))
    n = len(used)
    return MaskPlan(
        plan.chunks,
        plan.n_prefix,
        used.astype(np.int64),
        np.zeros(n, np.int64),
        np.full(n, -1, np.int64),
        np.ones(n, np.int64),
        r_copy[o],
        plan.r_col[o],
        plan.r_slot[o],
        plan.r_seq[o],
        plan.r_pos[o],
        plan.r_ref_id[o],
        mode,
    )


def plan_rolling(tokens: TokenBatch, chunks: ChunkBatch, stride: int = ROLLING_STRIDE) -> MaskPlan:
    n = content_counts(chunks, 0)
    per_chunk = np.minimum(n, stride)
    copy_chunk = np.repeat(np.arange(len(chunks)), per_chunk)
    q = ragged_arange(np.zeros(len(per_chunk), dtype=np.int64), per_chunk).astype(np.int64)
    ts = chunks.token_start[copy_chunk].astype(np.int64)
    first_copy = np.zeros(len(chunks), dtype=np.int64)
    np.cumsum(per_chunk[:-1], out=first_copy[1:])
    seq, t = _token_items(tokens)  # one token per nucleotide: t is the position
    chunk = assign_chunks(chunks, 0, seq, t, t)
    r_copy = first_copy[chunk] + (t - chunks.token_start[chunk]) % stride
    hi = ts + n[copy_chunk] - 1
    return _finish(
        chunks,
        0,
        0,
        copy_chunk,
        ts + q,
        hi,
        np.full_like(q, stride),
        q,
        r_copy,
        t,
        np.zeros_like(t),
        seq,
        tokens.starts[tokens.offsets[seq] + t].astype(np.int64),
        tokens,
    )
