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
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from dagster import ConfigurableResource
from pydantic import Field
from upath import UPath

_CHUNK = 1 << 20
MANIFEST = "_MANIFEST.json"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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

    @property
    def is_local(self) -> bool:
        """Whether the root is a local folder (not s3:// or another object store)."""
        return self._is_local

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

    def put_directory(self, local_dir: str | os.PathLike[str], final: UPath, **extra: Any) -> ArtifactHandle:
        """Publish a finished local directory (e.g. a Hugging Face checkpoint) at ``final``.

        Every file is hashed into ``_MANIFEST.json``, written last: a directory without its manifest is
        incomplete. Local stores rename the whole directory into place (the old one, if any, is
        swapped out first); object stores upload each file atomically, then the manifest.
        """
        local_dir = Path(local_dir)
        files = sorted(p for p in local_dir.rglob("*") if p.is_file())
        if not files:
            raise ValueError(f"{local_dir}: nothing to publish (empty directory)")
        manifest: dict[str, Any] = {}
        if self._is_local:
            final.parent.mkdir(parents=True, exist_ok=True)
            staging = final.parent / f".tmp-{uuid.uuid4().hex}-{final.name}"
            shutil.copytree(local_dir, staging.path)
            for path in files:
                manifest[path.relative_to(local_dir).as_posix()] = _file_digest(path)
            (Path(staging.path) / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
            trash = final.parent / f".old-{uuid.uuid4().hex}-{final.name}"
            if final.exists():
                os.replace(final.path, trash.path)
            os.replace(staging.path, final.path)
            shutil.rmtree(trash.path, ignore_errors=True)
        else:
            if (final / MANIFEST).exists():
                (final / MANIFEST).unlink()
            for path in files:
                relative = path.relative_to(local_dir).as_posix()
                manifest[relative] = self.put_file(path, final.joinpath(*relative.split("/"))).sha256
            self.write_bytes(final / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
        digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()
        size = sum(p.stat().st_size for p in files)
        return ArtifactHandle(str(final), digest, size, extra={"files": len(files), **extra})

    def fetch_directory(self, handle: ArtifactHandle, cache: str | os.PathLike[str]) -> Path:
        """A local copy of a published directory (the directory itself when the store is local), verified."""
        source = UPath(handle.uri, **self.root.storage_options)
        manifest_path = source / MANIFEST
        if not manifest_path.exists():
            raise FileNotFoundError(f"{handle.uri} is incomplete or missing (no {MANIFEST})")
        manifest = json.loads(manifest_path.read_bytes())
        if hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest() != handle.sha256:
            raise ValueError(f"{handle.uri} changed since its handle was written")
        if self._is_local:
            return Path(source.path)
        target = Path(cache) / handle.sha256[:16]
        if not (target / MANIFEST).exists():
            staging = Path(cache) / f".tmp-{uuid.uuid4().hex}"
            for relative, digest in manifest.items():
                out = staging / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(source.joinpath(*relative.split("/")).read_bytes())
                if _file_digest(out) != digest:
                    raise ValueError(f"{handle.uri}/{relative}: sha256 mismatch after download")
            (staging / MANIFEST).write_text(json.dumps(manifest))
            os.replace(staging, target)
        return target


class ArtifactStoreResource(ConfigurableResource):
    """Dagster resource for the artifact store; credentials come only from the environment."""

    root: str = Field(description="Local folder or fsspec URL (s3://bucket/prefix).")
    storage_options: dict[str, Any] = Field(default_factory=dict)

    def get_store(self) -> ArtifactStore:
        return ArtifactStore(self.root, self.storage_options)
