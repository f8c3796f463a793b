"""Sequence-feature baselines for the regression tasks (docs/protocol.md §5): k-mer counts and the Griesemer
2021 58 sequence features. Sequences in the DNA alphabet; k-mers containing N are not counted.

Griesemer features, in this order (58): nucleotide % (4), dinucleotide counts (16) and % (16),
longest homopolymer per base (4) and overall (1), longest tandem repeat of each dinucleotide in
units (16), count of positions equal to the previous one (1).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from utr_assets.tasks.rbp import kmer_codes

BASES = "ACGT"
DINUCLEOTIDES = ["".join(p) for p in itertools.product(BASES, repeat=2)]


def kmer_count_features(sequences: Sequence[str], k: int = 5) -> np.ndarray:
    """(n, 4**k) counts of every k-mer (lexicographic ACGT order), overlapping windows."""
    out = np.zeros((len(sequences), 4**k), dtype=np.float32)
    for i, seq in enumerate(sequences):
        codes = kmer_codes(seq, k)
        codes = codes[codes >= 0]
        out[i] = np.bincount(codes, minlength=4**k)
    return out


def _longest_run(seq: str, unit: str) -> int:
    best = 0
    for m in re.finditer(f"(?:{unit})+", seq):
        best = max(best, len(m.group(0)) // len(unit))
    return best


def griesemer_features(sequences: Sequence[str]) -> np.ndarray:
    """(n, 58) Griesemer 2021 sequence features."""
    rows = []
    for raw in sequences:
        seq = raw.upper()
        n = max(len(seq), 1)
        n_di = max(len(seq) - 1, 1)
        nuc_pct = [100.0 * seq.count(b) / n for b in BASES]
        di_counts = [sum(1 for j in range(len(seq) - 1) if seq[j : j + 2] == d) for d in DINUCLEOTIDES]
        di_pct = [100.0 * c / n_di for c in di_counts]
        homo = [_longest_run(seq, b) for b in BASES]
        di_repeat = [_longest_run(seq, d) for d in DINUCLEOTIDES]
        same_as_previous = sum(1 for j in range(1, len(seq)) if seq[j] == seq[j - 1])
        rows.append(nuc_pct + di_counts + di_pct + homo + [max(homo)] + di_repeat + [same_as_previous])
    return np.asarray(rows, dtype=np.float64).reshape(len(sequences), 58)
