"""The artifact store: big files under one root (local folder or s3://), written atomically.

What belongs here: the plain-Python store (paths, atomic writes, sha256 handles) and its Dagster
resource wrapper. Tables go through the parquet IO manager (`io_managers.py`), not here.

Invariant: an artifact's final path appears only once its content is complete. Local writes go
to a hidden temporary file in the same folder and are renamed (atomic on POSIX); object stores
are written under ``{root}/_tmp/`` and moved into place after the upload completed. A killed
write leaves at most a temporary object, never a complete-looking artifact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from dagster import ConfigurableResource
from pydantic import Field
from upath import UPath

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArtifactHandle:
    """A small, serialisable pointer to a big artifact: where it is and what it is."""

    uri: str
    sha256: str
    bytes: int
    shape: tuple[int, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["shape"] = list(self.shape) if self.shape is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArtifactHandle:
        shape = data.get("shape")
        return cls(
            uri=data["uri"],
            sha256=data["sha256"],
            bytes=int(data["bytes"]),
            shape=tuple(shape) if shape is not None else None,
            extra=dict(data.get("extra") or {}),
        )


class _HashingWriter:
    """Wraps a binary file object, counting bytes and hashing what passes through."""

    def __init__(self, raw: IO[bytes]):
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._raw.write(data)

    def flush(self) -> None:
        self._raw.flush()


class ArtifactStore:
    """Artifacts under ``root`` at ``{asset}/{partition}/{name}``; local or any fsspec URL."""

    def __init__(self, root: str, storage_options: dict[str, Any] | None = None):
        self.root = UPath(root, **(storage_options or {}))
        self._is_local = self.root.protocol in ("", "file", "local")

    def path(self, *parts: str) -> UPath:
        for part in parts:
            if not part or part in (".", "..") or "/" in part or "\\" in part:
                raise ValueError(f"invalid artifact path component {part!r}")
        return self.root.joinpath(*parts)

    def _tmp_path(self, final: UPath) -> UPath:
        token = uuid.uuid4().hex
        if self._is_local:
            return final.parent / f".tmp-{token}-{final.name}"
        return self.root / "_tmp" / f"{token}-{final.name}"

    @contextlib.contextmanager
    def open_atomic(self, final: UPath) -> Iterator[_HashingWriter]:
        """Write to a temporary name; publish at ``final`` only if the block exits cleanly."""
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp_path(final)
        writer: _HashingWriter | None = None
        try:
            with tmp.open("wb") as raw:
                writer = _HashingWriter(raw)
                yield writer
                writer.flush()
                if self._is_local:
                    os.fsync(raw.fileno())
            if self._is_local:
                os.replace(tmp.path, final.path)
            else:
                tmp.fs.mv(tmp.path, final.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError, OSError):
                tmp.unlink()
            raise

    def write_bytes(self, final: UPath, data: bytes, **extra: Any) -> ArtifactHandle:
        with self.open_atomic(final) as out:
            out.write(data)
        return ArtifactHandle(str(final), out.digest.hexdigest(), out.size, extra=extra)

    def write_json(self, final: UPath, obj: Any) -> ArtifactHandle:
        return self.write_bytes(final, json.dumps(obj, indent=2, sort_keys=True).encode())

    def put_file(self, local_path: str | os.PathLike[str], final: UPath, **extra: Any) -> ArtifactHandle:
        """Copy a finished local file into the store atomically, hashing it on the way."""
        with open(local_path, "rb") as src, self.open_atomic(final) as out:
            while chunk := src.read(_CHUNK):
                out.write(chunk)
        return ArtifactHandle(str(final), out.digest.hexdigest(), out.size, extra=extra)

    def verify(self, handle: ArtifactHandle) -> None:
        """Raise if the artifact behind ``handle`` is missing or its content changed."""
        path = UPath(handle.uri, **self.root.storage_options)
        if not path.exists():
            raise FileNotFoundError(f"artifact {handle.uri} is missing")
        digest = hashlib.sha256()
        with path.open("rb") as src:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != handle.sha256:
            raise ValueError(f"artifact {handle.uri} changed: sha256 {digest.hexdigest()} != {handle.sha256}")


class ArtifactStoreResource(ConfigurableResource):
    """Dagster resource for the artifact store; credentials come only from the environment."""

    root: str = Field(description="Local folder or fsspec URL (s3://bucket/prefix).")
    storage_options: dict[str, Any] = Field(default_factory=dict)

    def get_store(self) -> ArtifactStore:
        return ArtifactStore(self.root, self.storage_options)
