"""Window placement: overlap, left-filled last chunk, specials, position mapping."""

from __future__ import annotations

import numpy as np
import pytest

from utr_assets.corpus import ChunkSpec, build_tokeniser, chunk_batch, paper_chunk_spec, window_starts
from utr_assets.corpus.kmers import TokenBatch


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, []),
        (1, [0]),
        (3, [0]),
        (4, [0, 1]),
        (5, [0, 2]),
        (6, [0, 2, 3]),
        (7, [0, 2, 4]),
        (8, [0, 2, 4, 5]),
    ],
)
def test_window_starts_size3_overlap1(n, expected):
    per_seq, starts = window_starts([n], size=3, overlap=1)
    assert starts.tolist() == expected and per_seq.tolist() == [len(expected)]


def test_window_starts_vectorised_over_sequences():
    per_seq, starts = window_starts([6, 0, 2, 5], size=3, overlap=1)
    assert per_seq.tolist() == [3, 0, 1, 2] and starts.tolist() == [0, 2, 3, 0, 0, 2]


def test_paper_presets():
    assert paper_chunk_spec("dnabert").content_size(2) == 510
    assert paper_chunk_spec("nt").content_size(1) == 1023
    assert paper_chunk_spec("dnabert2").content_size(2) == 1022
    assert paper_chunk_spec("dss").content_size(0) == 5000
    with pytest.raises(ValueError):
        ChunkSpec(3, 1).content_size(2)
    with pytest.raises(ValueError):
        ChunkSpec(10, 8).content_size(2)


def test_chunks_are_full_overlap_and_cover_every_token():
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 3000, 200)
    seqs = ["".join(rng.choice(list("ACGT"), n)) for n in lengths]
    tok = build_tokeniser("dnabert")
    spec = ChunkSpec(128, 20)
    tokens = tok.encode_batch(seqs)
    chunks = chunk_batch(tokens, spec, tok.prefix_ids, tok.suffix_ids)
    for c in range(len(chunks)):
        ids, starts, ends = chunks.chunk(c)
        n_tokens = int(tokens.counts()[chunks.sequence[c]])
        assert ids[0] == 2 and ids[-1] == 3 and starts[0] == -1 and ends[-1] == -1
        assert len(ids) == min(spec.context, n_tokens + 2)  # full unless the sequence is shorter
        content = slice(1, -1)
        assert starts[content].tolist() == list(
            range(chunks.token_start[c], chunks.token_start[c] + len(ids) - 2)
        )
    for i in range(len(seqs)):
        mine = np.flatnonzero(chunks.sequence == i)
        if tokens.counts()[i] == 0:
            assert len(mine) == 0
            continue
        first = chunks.token_start[mine]
        assert first[0] == 0 and first[-1] + min(126, tokens.counts()[i]) == tokens.counts()[i]
        assert (np.diff(first) <= 126 - 20).all()  # consecutive chunks share >= overlap tokens
        assert chunks.chunk_index[mine].tolist() == list(range(len(mine)))
        assert (chunks.n_chunks[mine] == len(mine)).all()


def test_empty_batch():
    empty = TokenBatch(*(np.zeros(0, np.int32) for _ in range(3)), np.zeros(1, np.int64))
    assert len(chunk_batch(empty, ChunkSpec(8, 2), (2,), (3,))) == 0
