"""The local staging of a download: the ``NAME.part`` file, its version sidecar, and resuming it.

What belongs here: `transfer_part` (bring the ``.part`` to the remote's full content, resuming from its
size when the remote's size and version tag are those recorded at its start, else from byte 0), the
sidecar, discarding a bad partial, and where staging lives (`default_staging`). Not here: retries,
verification and publishing into the store (`download.py`), the remote filesystems (`transfer.py`).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from utr_assets.sources.catalogue import SourceFile
from utr_assets.sources.errors import SourceTransient, SourceTruncated
from utr_assets.sources.transfer import RangeNotSupported, classify, open_fs, remote_info, stream

log = logging.getLogger(__name__)


def transfer_part(file: SourceFile, part: Path, chunk_size: int) -> int:
    """Bring ``part`` to the remote's full content; returns the offset this transfer resumed from."""
    name, url = file.entry.name, file.url
    try:
        fs, path = open_fs(url, file.entry.storage_options)
        info = remote_info(fs, path)
    except Exception as exc:  # noqa: BLE001
        raise classify(exc, name, url) from exc
    want = file.entry.size
    if info.size is not None and want is not None and info.size != want:
        discard(part)
        raise SourceTruncated(
            name,
            url,
            f"server reports {info.size} bytes, catalogue expects {want}: changed or truncated upstream",
        )
    meta = {"url": url, "size": info.size, "version": info.version}
    offset = part.stat().st_size if part.exists() else 0
    if offset and (_read_meta(part) != meta or (info.size is not None and offset > info.size)):
        log.warning("%s: partial download is stale (remote changed); restarting", file.label)
        offset = 0
    if info.size is not None and offset == info.size:
        return offset
    meta_path(part).write_text(json.dumps(meta))
    resumed_from = offset
    try:
        offset = _copy(fs, path, part, offset, chunk_size)
    except RangeNotSupported:
        log.warning("%s: server ignores HTTP Range; restarting from byte 0", file.label)
        resumed_from, offset = 0, _copy(fs, path, part, 0, chunk_size)
    except Exception as exc:  # noqa: BLE001
        raise classify(exc, name, url) from exc
    if info.size is not None and offset < info.size:
        raise SourceTransient(name, url, f"connection ended after {offset} of {info.size} bytes")
    if info.size is not None and offset > info.size:
        discard(part)
        raise SourceTruncated(name, url, f"received {offset} bytes, server announced {info.size}")
    return resumed_from


def _copy(fs: Any, path: str, part: Path, offset: int, chunk_size: int) -> int:
    with open(part, "ab" if offset else "wb") as out:
        out.truncate(offset)
        try:
            for chunk in stream(fs, path, offset, chunk_size):
                out.write(chunk)
                offset += len(chunk)
        finally:
            out.flush()
            os.fsync(out.fileno())
    return offset


def meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _read_meta(part: Path) -> dict[str, Any] | None:
    try:
        return json.loads(meta_path(part).read_text())
    except (OSError, ValueError):
        return None


def discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    meta_path(part).unlink(missing_ok=True)


def default_staging(store_root: str) -> Path:
    """Where ``.part`` files live: ``{root}/_staging/downloads`` for a local store (survives runs, so a
    later run resumes), else ``$UTR_ASSETS_STAGING`` or a folder in the system temp directory."""
    if "://" not in store_root or store_root.startswith("file://"):
        return Path(store_root.removeprefix("file://")) / "_staging" / "downloads"
    import tempfile

    return Path(os.environ.get("UTR_ASSETS_STAGING") or Path(tempfile.gettempdir()) / "utr_assets_downloads")
