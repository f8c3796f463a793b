"""Publishing a folder of outputs as one set: a run killed at any moment leaves the previous complete set or
the new complete set in the folder, never a mix and never a truncated file.

What belongs here: `OutputSet` (write every file into a hidden staging folder beside the output folder,
write ``MANIFEST.json`` last with each file's size and SHA-256, then swap the staging folder in with one
atomic rename) and `verify_output_set` (the check a reader or a test runs). Not here: what the files hold.

The swap: a new or empty output folder is replaced by ``rename(2)``; an existing set is exchanged with
``renameat2(RENAME_EXCHANGE)`` (Linux), else moved aside to ``.<name>.old-*`` and the staging folder renamed
in; a run that finds the folder missing beside a complete ``.old-*`` set puts it back first. An output
folder holding files that are not a previous set is refused (they would be replaced).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import secrets
import shutil
import time
from pathlib import Path
from types import TracebackType

MANIFEST = "MANIFEST.json"


class OutputSetError(ValueError):
    """The output folder cannot be published to, or holds an incomplete or damaged set."""


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def verify_output_set(out: str | os.PathLike[str]) -> dict:
    """The manifest of the complete set in ``out``; OutputSetError when a file is missing, extra, or differs
    in size or checksum from the manifest (or there is no manifest)."""
    out = Path(out)
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputSetError(
            f"{out}: no complete output set ({MANIFEST} missing or unreadable: {exc})"
        ) from exc
    present = {p.name for p in out.iterdir()} - {MANIFEST}
    if present != set(files):
        raise OutputSetError(f"{out}: files {sorted(present ^ set(files))} disagree with {MANIFEST}")
    for name, meta in files.items():
        path = out / name
        if path.stat().st_size != meta["size"] or file_sha256(path) != meta["sha256"]:
            raise OutputSetError(f"{out / name}: size or checksum differs from {MANIFEST}")
    return manifest


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, f"renameat2 exchange failed: {os.strerror(code)}", str(a))


class OutputSet:
    """``with OutputSet(out, "extract-utrs") as s: write to s.path(name) ...; s.publish()``.

    Leaving the block without `publish` (an error) removes the staging folder; ``out`` is untouched.
    """

    def __init__(self, out: str | os.PathLike[str], producer: str):
        self.out = Path(out).absolute()
        self.producer = producer
        self.staging = self.out.parent / f".{self.out.name}.staging-{os.getpid()}-{secrets.token_hex(4)}"
        self.published = False

    def _siblings(self, kind: str) -> list[Path]:
        return sorted(self.out.parent.glob(f".{self.out.name}.{kind}-*"))

    def __enter__(self) -> OutputSet:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if not self.out.exists():  # killed between the two renames of the fallback swap: restore the old set
            for old in self._siblings("old"):
                try:
                    verify_output_set(old)
                except OutputSetError:
                    continue
                os.rename(old, self.out)
                break
        for stale in self._siblings("staging") + self._siblings("old"):  # left by killed runs
            shutil.rmtree(stale, ignore_errors=True)
        if self.out.exists():
            if not self.out.is_dir():
                raise OutputSetError(f"{self.out}: exists and is not a folder")
            if any(self.out.iterdir()):
                try:
                    verify_output_set(self.out)
                except OutputSetError as exc:
                    raise OutputSetError(
                        f"{self.out}: holds files that are not a complete earlier output set "
                        f"({exc}); choose a new or empty folder"
                    ) from exc
        self.staging.mkdir()
        return self

    def path(self, name: str) -> Path:
        if "/" in name or name in ("", ".", "..", MANIFEST):
            raise ValueError(f"not an output file name: {name!r}")
        return self.staging / name

    def publish(self, extra: dict | None = None) -> dict:
        """Checksum every staged file, write the manifest last, swap the set in; returns the manifest."""
        files = {}
        for path in sorted(self.staging.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                raise OutputSetError(f"{path}: unexpected entry in the staging folder")
            _fsync(path)
            files[path.name] = {"size": path.stat().st_size, "sha256": file_sha256(path)}
        manifest = {
            "producer": self.producer,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": files,
            **(extra or {}),
        }
        tmp = self.staging / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, self.staging / MANIFEST)
        _fsync(self.staging)
        if not self.out.exists() or (self.out.is_dir() and not any(self.out.iterdir())):
            os.replace(self.staging, self.out)  # rename(2) replaces an empty folder atomically
        elif _exchange(self.staging, self.out):
            shutil.rmtree(self.staging)  # now holds the previous set
        else:
            old = self.out.parent / f".{self.out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
            os.rename(self.out, old)
            os.rename(self.staging, self.out)
            shutil.rmtree(old)
        _fsync(self.out.parent)
        self.published = True
        return manifest

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ):
        if not self.published:
            shutil.rmtree(self.staging, ignore_errors=True)
        return None
