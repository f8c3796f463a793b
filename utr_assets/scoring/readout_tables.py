"""Readout tables: how a model's output distribution over tokens becomes P(A, C, G, T) at a nucleotide.

What belongs here: the (vocabulary, slot, base) tables a masked plan's readout multiplies the token
probabilities with (k-mer marginal sums, token substitution, single-nucleotide outputs). Not here: which
copies are run and where each nucleotide is read (`marginals.py`), running the model (`lm.py`).
"""

from __future__ import annotations

import numpy as np

from utr_assets.corpus.vocab import KMER_ALPHABET

_ACGT_OF_ATCG = np.array(["ACGT".index(b) for b in KMER_ALPHABET])  # k-mer digit -> ACGT column


def _kmer_id_array(kmer_ids: int | np.ndarray, k: int) -> np.ndarray:
    """Id of every k-mer by base-4 index: an offset (contiguous layouts) or the vocabulary's own ids."""
    if isinstance(kmer_ids, int | np.integer):
        return int(kmer_ids) + np.arange(4**k)
    ids = np.asarray(kmer_ids, dtype=np.int64)
    if ids.shape != (4**k,):
        raise ValueError(f"expected {4**k} k-mer ids, got shape {ids.shape}")
    return ids


def kmer_marginal_table(
    vocab_size: int, kmer_offset: int | np.ndarray, k: int, letter_ids: dict[str, int] | None = None
) -> np.ndarray:
    """(V, k [+1], 4) indicator: [v, j, b] = 1 if token v is a k-mer with base b at offset j; slot k (when
    ``letter_ids``, ACGT -> id) = 1 if v is the single letter b. ``kmer_offset``: the id of the first
    k-mer (contiguous layout) or the id of every k-mer by base-4 index (the checkpoint's vocabulary)."""
    slots = k + (1 if letter_ids else 0)
    table = np.zeros((vocab_size, slots, 4), dtype=np.float32)
    idx = np.arange(4**k)
    ids = _kmer_id_array(kmer_offset, k)
    for j in range(k):
        digit = (idx >> (2 * (k - 1 - j))) & 3
        table[ids, j, _ACGT_OF_ATCG[digit]] = 1.0
    for b, base in enumerate("ACGT"):
        if letter_ids:
            table[letter_ids[base], k, b] = 1.0
    return table


def kmer_substitution_table(
    vocab_size: int, kmer_offset: int | np.ndarray, k: int, letter_ids: dict[str, int]
) -> np.ndarray:
    """(V, k + 1, 4) ids: [v, j, b] = the k-mer v with base b at offset j; slot k = the letter b."""
    table = np.zeros((vocab_size, k + 1, 4), dtype=np.int64)
    table[:, k, :] = [letter_ids[b] for b in "ACGT"]
    idx = np.arange(4**k)
    ids = _kmer_id_array(kmer_offset, k)
    atcg_digit = np.array([KMER_ALPHABET.index(b) for b in "ACGT"])
    for j in range(k):
        shift = 2 * (k - 1 - j)
        cleared = idx & ~(3 << shift)
        for b in range(4):
            table[ids, j, b] = ids[cleared | (atcg_digit[b] << shift)]
    return table


def nucleotide_table(n_outputs: int) -> np.ndarray:
    """(n_outputs, 1, 4): the single-nucleotide family's output ids A C G T are 0..3."""
    table = np.zeros((n_outputs, 1, 4), dtype=np.float32)
    table[np.arange(4), 0, np.arange(4)] = 1.0
    return table
