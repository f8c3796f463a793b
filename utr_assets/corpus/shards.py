"""Parquet shards of the corpus and the tokenised corpus: writing (bytes, for the atomic artifact
store, or local files) and streaming reads with pyarrow.

What belongs here: splitting a table into row-bounded shards, serialising a shard, and reading shards
back batch by batch from a folder or a list of files (local paths or fsspec URLs via universal_pathlib).
Not here: where shards live or how they are published atomically (`platform.artifacts.ArtifactStore`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from upath import UPath

SHARD_SUFFIX = ".parquet"
DEFAULT_ROWS_PER_SHARD = 50_000
_COMPRESSION = "zstd"

PathLike = str | os.PathLike[str] | UPath


def shard_name(index: int, prefix: str = "part") -> str:
    return f"{prefix}-{index:05d}{SHARD_SUFFIX}"


def shard_tables(
    data: pd.DataFrame | pa.Table, rows_per_shard: int = DEFAULT_ROWS_PER_SHARD
) -> Iterator[pa.Table]:
    """Consecutive slices of at most ``rows_per_shard`` rows (an empty table gives one empty shard)."""
    if rows_per_shard <= 0:
        raise ValueError("rows_per_shard must be positive")
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    if table.num_rows == 0:
        yield table
        return
    for start in range(0, table.num_rows, rows_per_shard):
        yield table.slice(start, rows_per_shard)


def parquet_bytes(table: pa.Table) -> bytes:
    """One shard serialised (zstd); hand it to ``ArtifactStore.open_atomic(path).write``."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=_COMPRESSION)
    return sink.getvalue().to_pybytes()


def write_parquet(table: pa.Table, out) -> int:
    """Serialise ``table`` into a binary writer (anything with ``.write(bytes)``); returns bytes written."""
    data = parquet_bytes(table)
    out.write(data)
    return len(data)


def write_corpus_shards(
    data: pd.DataFrame | pa.Table,
    directory: PathLike,
    rows_per_shard: int = DEFAULT_ROWS_PER_SHARD,
    prefix: str = "part",
) -> list[UPath]:
    """Write shards ``{prefix}-00000.parquet``, ... into ``directory``; each appears only when complete
    (temporary name, then rename; the artifact store does the same for object stores)."""
    folder = UPath(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, table in enumerate(shard_tables(data, rows_per_shard)):
        final = folder / shard_name(i, prefix)
        tmp = folder / f".tmp-{shard_name(i, prefix)}"
        with tmp.open("wb") as out:
            write_parquet(table, out)
        tmp.rename(final)
        written.append(final)
    return written


def shard_files(source: PathLike | Sequence[PathLike]) -> list[UPath]:
    """A folder's ``*.parquet`` files in name order, or the given files as they are."""
    if isinstance(source, str | os.PathLike | UPath):
        path = UPath(source)
        if path.is_dir():
            return sorted(
                (p for p in path.iterdir() if p.name.endswith(SHARD_SUFFIX) and not p.name.startswith(".")),
                key=lambda p: p.name,
            )
        return [path]
    return [UPath(p) for p in source]


def iter_record_batches(
    source: PathLike | Sequence[PathLike], columns: list[str] | None = None, batch_rows: int = 8192
) -> Iterator[pa.RecordBatch]:
    """Stream the shards batch by batch; memory stays at one batch, whatever the corpus size."""
    for path in shard_files(source):
        with path.open("rb") as handle:
            yield from pq.ParquetFile(handle).iter_batches(batch_size=batch_rows, columns=columns)


def iter_corpus(
    source: PathLike | Sequence[PathLike], columns: list[str] | None = None, batch_rows: int = 8192
) -> Iterator[pd.DataFrame]:
    """`iter_record_batches` as pandas frames."""
    for batch in iter_record_batches(source, columns, batch_rows):
        yield batch.to_pandas()


def read_corpus(source: PathLike | Sequence[PathLike], columns: list[str] | None = None) -> pd.DataFrame:
    """All shards in one frame (small corpora and tests)."""
    frames: Iterable[pd.DataFrame] = list(iter_corpus(source, columns))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
