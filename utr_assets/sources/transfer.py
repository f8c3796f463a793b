"""Byte transfers from any fsspec URL (http/https via aiohttp, ftp, s3, file), resumable where possible.

What belongs here: opening a remote file system, asking for a file's size and version tags, and
streaming its bytes from an offset. Resuming uses ranged reads; a server that ignores HTTP ``Range``
is detected (fsspec checks for 206 / Content-Range) and reported as ``RangeNotSupported`` so the
caller restarts from byte 0 instead of appending the wrong bytes. Errors are translated into
``utr_assets.sources.errors`` types; credentials come only from the environment (fsspec/s3fs read it).
"""

from __future__ import annotations

import asyncio
import ftplib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fsspec

from utr_assets.sources.errors import SourceError, SourceMissing, SourceTransient


class RangeNotSupported(Exception):
    """The server answered a ranged read with the whole file."""


@dataclass(frozen=True)
class RemoteInfo:
    size: int | None
    version: str | None  # ETag / Last-Modified / object version: changes when the file changes


def open_fs(url: str, storage_options: dict[str, Any] | None = None) -> tuple[Any, str]:
    fs, path = fsspec.core.url_to_fs(url, **(storage_options or {}))
    return fs, path


def _is_http(fs: Any) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return protocol in ("http", "https")


def classify(exc: BaseException, source: str, url: str) -> SourceError:
    """Map a transfer exception onto a SourceError (transient or not)."""
    if isinstance(exc, SourceError):
        return exc
    status = getattr(exc, "status", None) or getattr(exc, "code", None)
    if isinstance(exc, FileNotFoundError) or status == 404:
        return SourceMissing(source, url, "not found (HTTP 404 / no such file or key)")
    if isinstance(exc, ftplib.error_perm):
        text = str(exc)
        if text.startswith("550"):
            return SourceMissing(source, url, f"not found on the FTP server ({text})")
        return SourceError(source, url, f"FTP refused: {text}")
    if isinstance(exc, PermissionError) or status in (401, 403):
        return SourceError(source, url, f"access denied ({exc}); credentials come from the environment")
    if isinstance(status, int) and 400 <= status < 500 and status not in (408, 429):
        return SourceError(source, url, f"HTTP {status}: {exc}")
    if isinstance(exc, (OSError, asyncio.TimeoutError, TimeoutError, EOFError, ftplib.Error)) or _is_aiohttp(
        exc
    ):
        return SourceTransient(source, url, f"transfer failed ({type(exc).__name__}: {exc})")
    return SourceError(source, url, f"unexpected error ({type(exc).__name__}: {exc})")


def _is_aiohttp(exc: BaseException) -> bool:
    try:
        import aiohttp
    except ImportError:  # pragma: no cover - aiohttp is a dependency of fsspec[http]
        return False
    return isinstance(exc, aiohttp.ClientError)


async def _http_info(fs: Any, url: str) -> dict[str, Any]:
    from fsspec.implementations.http import _file_info

    session = await fs.set_session()
    try:
        return await _file_info(url, session=session, size_policy="head", **fs.kwargs)
    except Exception as exc:  # noqa: BLE001 - servers that refuse HEAD
        if getattr(exc, "status", None) not in (403, 405, 501):
            raise
        return await _file_info(url, session=session, size_policy="get", **fs.kwargs)


def remote_info(fs: Any, path: str) -> RemoteInfo:
    """Size and a version tag. HTTP status errors keep their status (fsspec's ``info`` would turn a 503
    into FileNotFoundError); other protocols raise FileNotFoundError when the file is not there."""
    if _is_http(fs):
        from fsspec.asyn import sync

        info = sync(fs.loop, _http_info, fs, fs.encode_url(path))
    else:
        info = fs.info(path)
    size = info.get("size")
    version = None
    for key in ("ETag", "etag", "VersionId", "Last-Modified", "LastModified", "mtime", "modify"):
        if info.get(key):
            version = f"{key}={info[key]}"
            break
    return RemoteInfo(int(size) if size is not None else None, version)


def stream(fs: Any, path: str, offset: int, chunk_size: int) -> Iterator[bytes]:
    """Bytes of ``path`` from ``offset`` to the end, in chunks. Raises RangeNotSupported for offset > 0
    when the server cannot serve a range."""
    if _is_http(fs):
        if offset == 0:
            handle = fs.open(path, "rb", block_size=0)  # one streaming GET
        else:
            handle = fs.open(path, "rb", block_size=chunk_size, cache_type="none")
            from fsspec.implementations.http import HTTPStreamFile

            if isinstance(handle, HTTPStreamFile):  # the server announced `Accept-Ranges: none` (or no size)
                handle.close()
                raise RangeNotSupported(f"{path}: server does not accept range requests")
            handle.seek(offset)
    else:
        handle = fs.open(path, "rb")
        if offset:
            handle.seek(offset)
    with handle:
        while True:
            try:
                data = handle.read(chunk_size)
            except ValueError as exc:
                if "support range" in str(exc):
                    raise RangeNotSupported(str(exc)) from exc
                raise
            if not data:
                return
            yield data


def read_small(url: str, storage_options: dict[str, Any] | None = None, limit: int = 1 << 22) -> bytes:
    """A small remote file (a checksum listing), at most ``limit`` bytes."""
    fs, path = open_fs(url, storage_options)
    if _is_http(fs):
        with fs.open(path, "rb", block_size=0) as handle:
            return handle.read(limit)
    with fs.open(path, "rb") as handle:
        return handle.read(limit)
