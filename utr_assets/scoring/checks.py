"""Quality checks of scoring outputs as plain functions (the asset layer turns them into asset checks).

What belongs here: the invariants of docs/protocol.md §4 outputs: probabilities in [0, 1] summing to 1 per position,
NaN only where documented (k-mer models: sequences shorter than k; Zoo-AL: columns without bases),
embedding width = hidden size, one row per input sequence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from utr_assets.corpus.checks import CheckResult


def check_probabilities(
    probs: Mapping[str, np.ndarray],
    sequences: Mapping[str, str],
    *,
    min_length: int = 0,
    nan_rows_allowed: bool = False,
    atol: float = 1e-4,
) -> CheckResult:
    """Every array (len(seq), 4) in [0, 1] with rows summing to 1; all-NaN arrays only for sequences shorter
    than ``min_length`` (k for k-mer models), partial NaN rows only if ``nan_rows_allowed`` (Zoo-AL)."""
    bad_shape, bad_range, bad_sum, bad_nan, nan_rows = [], 0, 0, [], 0
    for key, seq in sequences.items():
        p = probs.get(key)
        if p is None or p.shape != (len(seq), 4):
            bad_shape.append(key)
            continue
        rows_nan = np.isnan(p).any(axis=1)
        nan_rows += int(rows_nan.sum())
        if rows_nan.any() and not (len(seq) < min_length and rows_nan.all()) and not nan_rows_allowed:
            bad_nan.append(key)
        q = p[~rows_nan]
        bad_range += int(((q < 0) | (q > 1)).any(axis=1).sum())
        bad_sum += int((np.abs(q.sum(axis=1) - 1) > atol).sum())
    extra = sorted(set(probs) - set(sequences))
    passed = not (bad_shape or bad_range or bad_sum or bad_nan or extra)
    return CheckResult(
        "probabilities_valid",
        passed,
        {
            "n_sequences": len(sequences),
            "missing_or_bad_shape": bad_shape[:10],
            "rows_out_of_range": bad_range,
            "rows_not_summing_to_1": bad_sum,
            "unexpected_nan": bad_nan[:10],
            "nan_rows": nan_rows,
            "unexpected_ids": extra[:10],
        },
    )


def check_embeddings(
    ids: Sequence[str], matrix: np.ndarray, expected_ids: Sequence[str], hidden_size: int | None
) -> CheckResult:
    """One row per input sequence (same ids, same order), width = hidden size, NaN only in whole rows."""
    matrix = np.asarray(matrix)
    width_ok = matrix.ndim == 2 and (hidden_size is None or matrix.shape[1] == hidden_size)
    rows_ok = list(ids) == list(expected_ids) and len(matrix) == len(expected_ids)
    nan = np.isnan(matrix) if matrix.ndim == 2 else np.zeros((0, 0), bool)
    partial = int((nan.any(axis=1) & ~nan.all(axis=1)).sum()) if nan.size else 0
    return CheckResult(
        "embeddings_valid",
        width_ok and rows_ok and partial == 0,
        {
            "shape": list(matrix.shape),
            "hidden_size": hidden_size,
            "rows_match_inputs": rows_ok,
            "nan_rows": int(nan.all(axis=1).sum()) if nan.size else 0,
            "partial_nan_rows": partial,
        },
    )
