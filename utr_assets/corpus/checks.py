"""Quality checks of the corpus and the tokenised corpus as plain functions returning `CheckResult`.

What belongs here: the logic of each check (the assets turn results into Dagster asset checks).
Checks: token ids inside the vocabulary; no empty or over-long chunks; train/validation genes
disjoint; decode round trip (exact for lossless tokenisers); chunk spans agree with the sequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from utr_assets.corpus.chunking import ChunkSpec
from utr_assets.corpus.tokenisers import Tokeniser


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    metadata: dict[str, Any] = field(default_factory=dict)


def _flat(table: pa.Table, column: str) -> np.ndarray:
    return pc.list_flatten(table[column]).to_numpy(zero_copy_only=False)


def check_token_ids(table: pa.Table, vocab_size: int) -> CheckResult:
    ids = _flat(table, "input_ids")
    bad = int(((ids < 0) | (ids >= vocab_size)).sum())
    meta = {
        "tokens": len(ids),
        "out_of_vocabulary": bad,
        "vocab_size": vocab_size,
        "min_id": int(ids.min()) if len(ids) else None,
        "max_id": int(ids.max()) if len(ids) else None,
    }
    return CheckResult("token_ids_in_vocabulary", bad == 0, meta)


def check_chunk_lengths(table: pa.Table, spec: ChunkSpec, n_special: int) -> CheckResult:
    """Every chunk has at least one content token and at most ``spec.context`` tokens."""
    lengths = pc.list_value_length(table["input_ids"]).to_numpy(zero_copy_only=False)
    empty = int((lengths <= n_special).sum())
    too_long = int((lengths > spec.context).sum())
    meta = {
        "chunks": len(lengths),
        "empty_chunks": empty,
        "over_context": too_long,
        "context": spec.context,
        "full_chunks": int((lengths == spec.context).sum()),
    }
    return CheckResult("no_empty_chunks", empty == 0 and too_long == 0, meta)


def check_genes_disjoint(train_genes: Iterable[str], validation_genes: Iterable[str]) -> CheckResult:
    both = sorted(set(train_genes) & set(validation_genes))
    return CheckResult(
        "validation_genes_absent_from_train", not both, {"genes_in_both": len(both), "examples": both[:10]}
    )


def check_round_trip(tokeniser: Tokeniser, sequences: list[str], limit: int = 1000) -> CheckResult:
    """decode(encode(s)) == s on up to ``limit`` sequences. Lossy tokenisers (DNABERT: [UNK] for k-mers
    with N) are held to it only on ACGT-only sequences of at least k bases, where they are exact too."""
    sample = sequences[:limit]
    if not tokeniser.lossless:
        sample = [s for s in sample if len(s) >= tokeniser.k and set(s) <= set("ACGT")]
    batch = tokeniser.encode_batch(sample)
    failures = [i for i, s in enumerate(sample) if tokeniser.decode(batch.sequence(i)[0]) != s]
    meta = {"checked": len(sample), "failed": len(failures), "lossless": tokeniser.lossless}
    return CheckResult("decode_round_trip", not failures, meta)


def check_spans(
    table: pa.Table, tokeniser: Tokeniser, sequences: Mapping[tuple[str, str], str], limit: int = 200
) -> CheckResult:
    """For up to ``limit`` sequences keyed by (utr_id, species): each content token's text equals the
    sequence at its span (DNABERT [UNK]: the span holds a non-ACGT base), and the spans of its chunks
    cover the whole sequence. Exercises chunking and the position mapping on real output."""
    keys = list(zip(table["utr_id"].to_pylist(), table["species"].to_pylist(), strict=True))
    wanted = list(dict.fromkeys(k for k in keys if k in sequences))[:limit]
    chosen = set(wanted)
    rows = [i for i, k in enumerate(keys) if k in chosen]
    sub = table.take(rows)
    tokens_text = tokeniser.token_strings
    unk = tokeniser.hf.unk_token_id
    mismatched, uncovered = 0, 0
    covered: dict[tuple[str, str], np.ndarray] = {k: np.zeros(len(sequences[k]), dtype=bool) for k in wanted}
    for key, ids, starts, ends in zip(
        [keys[i] for i in rows],
        sub["input_ids"].to_pylist(),
        sub["nt_start"].to_pylist(),
        sub["nt_end"].to_pylist(),
        strict=True,
    ):
        seq = sequences[key]
        for token, s, e in zip(ids, starts, ends, strict=True):
            if s < 0:
                continue
            piece = seq[s:e]
            ok = (set(piece) - set("ACGT")) if token == unk else piece == tokens_text[token]
            mismatched += not ok
            covered[key][s:e] = True
    min_len = max(tokeniser.k, 1)
    uncovered = sum(int(not c.all()) for k, c in covered.items() if len(sequences[k]) >= min_len)
    meta = {"sequences": len(wanted), "mismatched_tokens": mismatched, "sequences_not_covered": uncovered}
    return CheckResult("spans_match_sequence", mismatched == 0 and uncovered == 0 and bool(wanted), meta)
