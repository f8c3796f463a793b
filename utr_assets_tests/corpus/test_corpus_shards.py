"""Parquet shards: row-bounded shards, bytes for the atomic artifact store, streaming reads."""

from __future__ import annotations

import io

import pandas as pd

from utr_assets.corpus import (
    iter_corpus,
    iter_record_batches,
    parquet_bytes,
    read_corpus,
    shard_tables,
    write_corpus_shards,
)


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "utr_id": [f"u{i}" for i in range(n)],
            "species": ["Canis_lupus_familiaris"] * n,
            "sequence": ["ACGTN" * (i % 7 + 1) for i in range(n)],
        }
    )


def test_write_and_stream_shards(tmp_path):
    df = _frame(2500)
    files = write_corpus_shards(df, tmp_path / "corpus", rows_per_shard=1000)
    assert [f.name for f in files] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert not [p for p in (tmp_path / "corpus").iterdir() if p.name.startswith(".tmp")]
    batches = list(iter_corpus(tmp_path / "corpus", batch_rows=300))
    assert max(len(b) for b in batches) == 300
    pd.testing.assert_frame_equal(pd.concat(batches, ignore_index=True), df)
    pd.testing.assert_frame_equal(
        read_corpus([files[1]], columns=["utr_id"]), df[["utr_id"]].iloc[1000:2000].reset_index(drop=True)
    )
    assert sum(b.num_rows for b in iter_record_batches(files)) == 2500


def test_shard_bytes_through_a_binary_writer(tmp_path):
    tables = list(shard_tables(_frame(10), rows_per_shard=4))
    assert [t.num_rows for t in tables] == [4, 4, 2]
    buffer = io.BytesIO()
    buffer.write(parquet_bytes(tables[2]))
    (tmp_path / "x.parquet").write_bytes(buffer.getvalue())
    assert read_corpus(tmp_path / "x.parquet").utr_id.tolist() == ["u8", "u9"]


def test_shards_through_the_artifact_store(tmp_path):
    from utr_assets.platform.artifacts import ArtifactStore

    store = ArtifactStore(str(tmp_path))
    final = store.path("pretraining_corpus", "rna", "part-00000.parquet")
    with store.open_atomic(final) as out:
        out.write(parquet_bytes(next(shard_tables(_frame(5)))))
    assert read_corpus(store.path("pretraining_corpus", "rna")).shape == (5, 3)
