"""Numpy fast paths: sequences -> content token ids and their nucleotide spans, a whole batch at once.

What belongs here: the vectorised encoders for the fixed-vocabulary families (overlapping 6-mers,
non-overlapping 6-mers with single-letter fallback, single nucleotides) and the ragged `TokenBatch`
they return. Not here: special tokens and chunking (`chunking.py`), Hugging Face objects
(`hf_tokenizers.py`), BPE (`bpe.py`). Each encoder is proven id-for-id equal to its saved Hugging Face
tokenizer in the unit tests.

Span convention: token t of sequence i covers nucleotides [starts[t], ends[t]) of that sequence,
0-based half-open, in the orientation the sequence is given in. Special tokens never appear here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from utr_assets.corpus.vocab import (
    DNABERT_KMER_OFFSET,
    DNABERT_UNK_ID,
    KMER_CODE,
    NT_KMER_OFFSET,
    NT_LETTER_CODE,
    NT_LETTERS,
    NT_UNK_ID,
    NUCLEOTIDE_CODE,
    K,
    kmers,
    nt_letter_offset,
)


@dataclass(frozen=True)
class TokenBatch:
    """Content tokens of ``n`` sequences, flattened: sequence i owns rows ``offsets[i]:offsets[i+1]``."""

    ids: np.ndarray  # int32
    starts: np.ndarray  # int32, nucleotide start within its own sequence
    ends: np.ndarray  # int32, exclusive nucleotide end
    offsets: np.ndarray  # int64, length n + 1, offsets[0] == 0

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def sequence(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ids, starts, ends) of sequence ``i``."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        return self.ids[lo:hi], self.starts[lo:hi], self.ends[lo:hi]

    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)


def kmer_ids_of(vocab: dict[str, int], k: int = K) -> np.ndarray:
    """Id of every k-mer (index = base-4 number, A0 T1 C2 G3) in a tokenizer's vocabulary."""
    missing = [t for t in kmers(k) if t not in vocab]
    if missing:
        raise ValueError(
            f"tokenizer vocabulary lacks {len(missing)} of the {4**k} {k}-mers (e.g. {missing[0]})"
        )
    return np.array([vocab[t] for t in kmers(k)], dtype=np.int64)


@dataclass(frozen=True)
class NtLayout:
    """Where the NT tokens sit in a vocabulary: the id of every k-mer (index = base-4 number, A0 T1 C2 G3),
    of the letters A T C G N (<unk> where a letter is missing) and of <unk>."""

    kmer_ids: np.ndarray  # (4**k,) int64
    letter_ids: np.ndarray  # (5,) int64, A T C G N
    unk_id: int

    @classmethod
    def published(cls, k: int = K) -> NtLayout:
        return cls(
            NT_KMER_OFFSET + np.arange(4**k, dtype=np.int64),
            nt_letter_offset(k) + np.arange(len(NT_LETTERS), dtype=np.int64),
            NT_UNK_ID,
        )

    @classmethod
    def from_vocab(cls, vocab: dict[str, int], k: int = K, unk_token: str = "<unk>") -> NtLayout:
        """The layout of a checkpoint's own vocabulary; every k-mer and <unk> must be in it."""
        if unk_token not in vocab:
            raise ValueError(f"NT vocabulary has no unknown token {unk_token!r}")
        unk = int(vocab[unk_token])
        return cls(
            kmer_ids_of(vocab, k), np.array([vocab.get(b, unk) for b in NT_LETTERS], dtype=np.int64), unk
        )


def _concat(sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bytes of all sequences concatenated, bounds[n + 1], lengths[n])."""
    try:
        buf = np.frombuffer("".join(sequences).encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError as err:
        raise ValueError(f"sequences must be ASCII (ACGTN): {err}") from None
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    bounds = np.zeros(len(sequences) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return buf, bounds, lengths


def ragged_arange(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + c)`` for each (s, c), without a Python loop (int32 when it fits)."""
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.asarray(starts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    small = total < 2**31 and (len(starts) == 0 or int(np.abs(starts).max()) + total < 2**31)
    dtype = np.int32 if small else np.int64
    return np.arange(total, dtype=dtype) + np.repeat((starts - first).astype(dtype), counts)


def _batch(ids: np.ndarray, starts: np.ndarray, ends: np.ndarray, counts: np.ndarray) -> TokenBatch:
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return TokenBatch(ids.astype(np.int32), starts.astype(np.int32), ends.astype(np.int32), offsets)


def _rolling_kmer_index(digits: np.ndarray, k: int) -> np.ndarray:
    """Base-4 index of the k-mer starting at every position of ``digits`` (first base = most significant
    digit); positions within k - 1 of the end read zero digits past the end and must be discarded."""
    n = len(digits)
    padded = np.zeros(n + k - 1, dtype=np.int32)
    padded[:n] = digits
    idx = np.zeros(n, dtype=np.int32)
    for j in range(k):  # contiguous slices: k passes over small integers, no gathers
        idx <<= 2
        idx |= padded[j : j + n]
    return idx


def _prepare(sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(bytes, bounds, lengths, base-4 digits with non-ACGT as 0, non-ACGT mask)."""
    buf, bounds, lengths = _concat(sequences)
    code = KMER_CODE[buf]
    bad = code < 0
    digits = code.astype(np.int32)
    digits[bad] = 0
    return buf, bounds, lengths, digits, bad


def overlapping_kmers(sequences: Sequence[str], k: int = K) -> TokenBatch:
    """DNABERT: every k-mer at stride 1; a k-mer with any non-ACGT base is [UNK].

    A sequence of length L gives max(L - k + 1, 0) tokens; token t covers [t, t + k).
    """
    buf, bounds, lengths, digits, bad = _prepare(sequences)
    counts = np.maximum(lengths - k + 1, 0)
    positions = ragged_arange(bounds[:-1], counts)
    nbad = np.zeros(len(buf) + 1, dtype=np.int32)
    np.cumsum(bad, out=nbad[1:])
    has_bad = nbad[positions + k] != nbad[positions]
    ids = _rolling_kmer_index(digits, k)[positions] + DNABERT_KMER_OFFSET
    ids[has_bad] = DNABERT_UNK_ID
    starts = positions - np.repeat(bounds[:-1].astype(positions.dtype), counts)
    return _batch(ids, starts, starts + k, counts)


def nonoverlapping_kmers(sequences: Sequence[str], k: int = K, layout: NtLayout | None = None) -> TokenBatch:
    """Nucleotide Transformer: the published tokenizer's rule, vectorised; ids from ``layout`` (default:
    the published NT-v2 vocabulary).

    Every non-ACGT character is a single-letter token and restarts the k-mer frame (NT splits the
    sequence at N); inside each ACGT-only segment, k-mers left to right from the segment start and
    the segment's last ``len % k`` bases as single letters. 'N' -> the letter N; any other
    character -> <unk>.
    """
    buf, bounds, lengths, digits, brk = _prepare(sequences)
    n = len(buf)
    pos = np.arange(n, dtype=np.int32)
    # A segment starts at a sequence start or right after a break, and ends at a break or the sequence end.
    reset = np.zeros(n, dtype=bool)
    reset[bounds[:-1][lengths > 0]] = True
    reset[1:] |= brk[:-1]
    stop = brk.copy()
    stop[bounds[1:][lengths > 0] - 1] = True  # last base of each sequence: segment end is the next position
    seg_start = np.maximum.accumulate(np.where(reset, pos, 0)) if n else pos
    seg_last = np.minimum.accumulate(np.where(stop, pos, n)[::-1])[::-1] if n else pos
    # seg_last is the break itself, or the last base when the sequence ends without one.
    seg_end = seg_last + (~brk[seg_last] if n else 0)
    offset = pos - seg_start
    seg_len = seg_end - seg_start
    full = seg_len - seg_len % k
    is_kmer = ~brk & (offset < full) & (offset % k == 0)
    keep = is_kmer | brk | (offset >= full)
    tok_pos = pos[keep]
    tok_kmer = is_kmer[keep]
    layout = layout or NtLayout.published(k)
    ids = layout.kmer_ids[_rolling_kmer_index(digits, k)[tok_pos]]
    letters = NT_LETTER_CODE[buf[tok_pos]]
    single = ~tok_kmer
    ids[single] = np.where(
        letters[single] >= 0, layout.letter_ids[np.maximum(letters[single], 0)], layout.unk_id
    )
    counts = np.diff(np.searchsorted(tok_pos, bounds))
    starts = tok_pos - np.repeat(bounds[:-1], counts)
    return _batch(ids, starts, starts + np.where(tok_kmer, k, 1), counts)


def single_nucleotides(sequences: Sequence[str]) -> TokenBatch:
    """One token per base: A C G T N -> 0..4 (the one-hot channel), anything else -> [UNK]."""
    buf, bounds, lengths = _concat(sequences)
    ids = NUCLEOTIDE_CODE[buf]
    starts = np.arange(len(buf), dtype=np.int64) - np.repeat(bounds[:-1], lengths)
    return _batch(ids, starts, starts + 1, lengths)


def kmer_text(sequence: str, k: int = K) -> str:
    """DNABERT's model input text: the overlapping k-mers separated by single spaces ('' if shorter than k)."""
    return " ".join(sequence[i : i + k] for i in range(len(sequence) - k + 1))
