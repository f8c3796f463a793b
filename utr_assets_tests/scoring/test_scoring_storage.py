"""Parquet array storage round trips and the resumable shard loop; output checks."""

from __future__ import annotations

import numpy as np
import pytest

from utr_assets.scoring.checks import check_embeddings, check_probabilities
from utr_assets.scoring.storage import (
    embeddings_bytes,
    per_base_bytes,
    read_embeddings,
    read_per_base,
    run_shards,
    shard_name,
)


def test_per_base_round_trip_keeps_ragged_arrays_and_nan():
    arrays = [
        np.random.default_rng(0).random((7, 4), dtype=np.float32),
        np.full((3, 4), np.nan, np.float32),
        np.zeros((0, 4), np.float32),
    ]
    back = read_per_base(per_base_bytes(["a", "b", "c"], arrays))
    assert list(back) == ["a", "b", "c"]
    np.testing.assert_array_equal(back["a"], arrays[0])
    assert np.isnan(back["b"]).all() and back["c"].shape == (0, 4)
    scores = read_per_base(per_base_bytes(["s"], [np.array([1.0, np.nan, 2.0])]))
    np.testing.assert_array_equal(scores["s"], [1.0, np.nan, 2.0])


def test_embeddings_round_trip(tmp_path):
    m = np.arange(6, dtype=np.float32).reshape(3, 2)
    path = tmp_path / "e.parquet"
    path.write_bytes(embeddings_bytes(["x", "y", "z"], m))
    ids, back = read_embeddings(str(path))
    assert ids == ["x", "y", "z"] and np.array_equal(back, m)


def test_run_shards_skips_finished_shards():
    store: dict[str, bytes] = {}
    calls = []

    def compute(part: slice) -> bytes:
        calls.append((part.start, part.stop))
        if part.start == 4 and len(calls) == 2:
            raise KeyboardInterrupt  # killed mid-run: shard 1 never written
        return b"%d" % part.start

    with pytest.raises(KeyboardInterrupt):
        run_shards(10, 4, compute=compute, exists=store.__contains__, write=store.__setitem__)
    assert list(store) == [shard_name(0)]
    run = run_shards(10, 4, compute=compute, exists=store.__contains__, write=store.__setitem__)
    assert run.skipped == [shard_name(0)] and run.written == [shard_name(1), shard_name(2)]
    assert calls[-2:] == [(4, 8), (8, 10)]


def test_checks_flag_bad_rows_and_accept_documented_nan():
    seqs = {"a": "ACGTA", "b": "ACG"}
    good = {"a": np.full((5, 4), 0.25, np.float32), "b": np.full((3, 4), np.nan, np.float32)}
    assert check_probabilities(good, seqs, min_length=6).passed
    bad = {**good, "a": np.full((5, 4), 0.3, np.float32)}
    result = check_probabilities(bad, seqs, min_length=6)
    assert not result.passed and result.metadata["rows_not_summing_to_1"] == 5
    assert not check_probabilities(good, seqs, min_length=0).passed  # NaN not documented for this model
    assert check_embeddings(["a"], np.zeros((1, 8)), ["a"], 8).passed
    assert not check_embeddings(["a"], np.zeros((1, 8)), ["a"], 16).passed
