"""Array storage of scoring outputs: parquet bytes for the artifact store, readers, and the resumable
shard loop.

What belongs here: encoding per-base arrays and embeddings, decoding them, and skipping finished
shards. Not here: where the bytes go (the lead writes them with `ArtifactStore.write_bytes`).

Format (why parquet): per-base arrays are ragged (one (L, 4) array per UTR, L from ~10 to ~20k), which
parquet stores natively as a list<float32> column with no padding; the ids travel in the same file
as the numbers (no separate index to drift); zstd compresses probabilities ~2x; the files are
readable by pandas/pyarrow/duckdb/polars locally or on s3 through universal_pathlib, like every other
table here; and a shard is one self-describing, atomically written object, which makes resumption
a test of existence. (.npy shards would need an index file and padding or offsets; zarr is not a
dependency.) Layout, one file per shard:
  per-base: columns ``id`` (string), ``length`` (int32), ``values`` (list<float32>, row-major L x width);
            schema metadata ``width`` (4 for ACGT probabilities, 1 for site scores) and
            ``probability_mode`` (masked | unmasked | reference_aware; "" for non-model values).
  embeddings: ``id`` (string), ``embedding`` (fixed_size_list<float32, hidden>).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

_COMPRESSION = "zstd"


def _to_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression=_COMPRESSION)
    return sink.getvalue()


def _read(source: bytes | str) -> pa.Table:
    return pq.read_table(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source)


def per_base_bytes(ids: Sequence[str], arrays: Sequence[np.ndarray], probability_mode: str = "") -> bytes:
    """Parquet bytes of per-base arrays ((L, width) or (L,) each, one width for all)."""
    if len(ids) != len(arrays):
        raise ValueError("one id per array")
    arrs = [np.asarray(a, dtype=np.float32) for a in arrays]
    mats = [a.reshape(len(a), a.shape[1] if a.ndim == 2 else 1) for a in arrs]
    widths = {m.shape[1] for m in mats if m.size} or {4}
    if len(widths) != 1:
        raise ValueError(f"arrays of different widths {sorted(widths)}")
    width = widths.pop()
    lengths = np.array([len(m) for m in mats], dtype=np.int32)
    offsets = np.zeros(len(mats) + 1, dtype=np.int32)
    np.cumsum(lengths.astype(np.int64) * width, out=offsets[1:])
    flat = np.concatenate([m.ravel() for m in mats]) if mats else np.zeros(0, np.float32)
    values = pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat, type=pa.float32()))
    table = pa.table({"id": pa.array(list(ids), pa.string()), "length": lengths, "values": values})
    return _to_bytes(
        table.replace_schema_metadata({"width": str(width), "probability_mode": probability_mode})
    )


def per_base_probability_mode(source: bytes | str) -> str:
    """The probability mode a per-base shard records ("" when none)."""
    meta = (
        pq.read_schema(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source).metadata or {}
    )
    return meta.get(b"probability_mode", b"").decode()


def read_per_base(source: bytes | str) -> dict[str, np.ndarray]:
    """id -> (L, width) float32 array (width 1 squeezed to (L,))."""
    table = _read(source)
    width = int((table.schema.metadata or {}).get(b"width", b"4"))
    col = table.column("values").combine_chunks()
    flat = col.values.to_numpy(zero_copy_only=False)
    offsets = col.offsets.to_numpy()
    out = {}
    for i, key in enumerate(table.column("id").to_pylist()):
        m = flat[offsets[i] : offsets[i + 1]].reshape(-1, width)
        out[key] = m[:, 0].copy() if width == 1 else m.copy()
    return out


def read_per_base_shards(shards: Sequence[dict]) -> dict[str, np.ndarray]:
    """id -> array over every shard of a per-base handle (``[{"uri": ...}, ...]``)."""
    arrays: dict[str, np.ndarray] = {}
    for shard in shards:
        arrays.update(read_per_base(shard["uri"]))
    return arrays


def embeddings_bytes(ids: Sequence[str], matrix: np.ndarray) -> bytes:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim != 2 or len(matrix) != len(ids):
        raise ValueError(f"embeddings {matrix.shape} for {len(ids)} ids")
    emb = pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel(), pa.float32()), matrix.shape[1])
    return _to_bytes(pa.table({"id": pa.array(list(ids), pa.string()), "embedding": emb}))


def read_embeddings(source: bytes | str) -> tuple[list[str], np.ndarray]:
    table = _read(source)
    col = table.column("embedding").combine_chunks()
    width = col.type.list_size
    matrix = col.values.to_numpy(zero_copy_only=False).reshape(-1, width)
    return table.column("id").to_pylist(), matrix.astype(np.float32)


def shard_name(index: int, prefix: str = "part") -> str:
    return f"{prefix}-{index:05d}.parquet"


@dataclass
class ShardRun:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def run_shards(
    n_items: int,
    shard_size: int,
    *,
    compute: Callable[[slice], bytes],
    exists: Callable[[str], bool],
    write: Callable[[str, bytes], None],
    prefix: str = "part",
) -> ShardRun:
    """Score items [0, n_items) in shards of ``shard_size``: a shard whose file exists is skipped (a killed
    run resumes where it stopped, since `write` is atomic); otherwise ``compute(slice)`` -> bytes -> write.
    Shard boundaries depend only on (n_items, shard_size): keep both fixed for a resumable run."""
    if shard_size < 1:
        raise ValueError("shard_size must be >= 1")
    run = ShardRun()
    for k, lo in enumerate(range(0, n_items, shard_size)):
        name = shard_name(k, prefix)
        if exists(name):
            run.skipped.append(name)
            continue
        write(name, compute(slice(lo, min(lo + shard_size, n_items))))
        run.written.append(name)
    return run
