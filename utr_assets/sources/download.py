"""The downloader: resumable, verified, atomically published copies of catalogue files.

What belongs here: the retry loop (bounded in attempts and in time, exponential backoff), verification
(size, pinned and published checksums), the optional ``gunzip`` step, and publishing into the artifact
store (any object with ``path``,
``put_file`` and ``write_json``, e.g. ``utr_assets.platform.artifacts.ArtifactStore``).

Invariants: a partial download lives only in the local staging folder as ``NAME.part`` (never in the
store); the store's final path appears only after verification, through the store's atomic
``put_file``; a file that fails verification is deleted, not kept; a ``.part`` is resumed only when the
remote size and version tag are those recorded when it was started, else it restarts from byte 0
(the ``.part`` file and its resumption are ``staging.py``; `default_staging` is re-exported here).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from utr_assets.sources.catalogue import SourceFile
from utr_assets.sources.checksums import Digests, file_digests, find_checksum
from utr_assets.sources.errors import SourceChanged, SourceError, SourceTruncated, SourceUnavailable
from utr_assets.sources.staging import default_staging, discard, meta_path, transfer_part
from utr_assets.sources.transfer import classify, read_small

log = logging.getLogger(__name__)
STORE_PREFIX = "sources"
__all__ = ["STORE_PREFIX", "DownloadResult", "Downloader", "RetryPolicy", "Store", "default_staging"]


class Store(Protocol):
    def path(self, *parts: str) -> Any: ...
    def put_file(self, local_path: str | os.PathLike[str], final: Any, **extra: Any) -> Any: ...
    def write_json(self, final: Any, obj: Any) -> Any: ...


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: at most ``attempts`` tries and ``deadline_s`` seconds in all."""

    attempts: int = 5
    initial_delay_s: float = 1.0
    max_delay_s: float = 60.0
    multiplier: float = 2.0
    deadline_s: float = 6 * 3600.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay_s, self.initial_delay_s * self.multiplier ** (attempt - 1))


@dataclass
class DownloadResult:
    source: str
    url: str
    uri: str
    size: int
    sha256: str
    md5: str
    verification: str  # pinned | published | unverified
    attempts: int = 0
    resumed_from: int = 0  # bytes already in the .part when the last transfer began
    skipped: bool = False  # already present and recorded as verified
    chrom: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def metadata(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "extra" and v is not None}


class Downloader:
    """Fetch ``SourceFile``s into ``store`` under ``sources/{name}/{filename}``."""

    def __init__(
        self,
        store: Store,
        staging_dir: str | os.PathLike[str],
        retry: RetryPolicy | None = None,
        chunk_size: int = 8 << 20,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.store, self.staging = store, Path(staging_dir)
        self.retry = retry or RetryPolicy()
        self.chunk_size, self.sleep, self.clock = chunk_size, sleep, clock

    # -- public -----------------------------------------------------------------------------------
    def final_name(self, file: SourceFile) -> str:
        name = file.filename
        return name[:-3] if file.entry.post == "gunzip" and name.endswith(".gz") else name

    def fetch(self, file: SourceFile) -> DownloadResult:
        entry = file.entry
        final = self.store.path(STORE_PREFIX, entry.folder, self.final_name(file))
        record_path = self.store.path(STORE_PREFIX, entry.folder, self.final_name(file) + ".source.json")
        expected = self._expected(file)
        if (done := self._already_done(file, final, record_path, expected)) is not None:
            return done
        part = self.staging / entry.name / (file.filename + ".part")
        part.parent.mkdir(parents=True, exist_ok=True)
        attempts, resumed_from = self._transfer_with_retries(file, part)
        digests = self._verify(file, part, expected)
        local = self._post_process(file, part)
        handle = self.store.put_file(local, final)
        result = DownloadResult(
            entry.name,
            file.url,
            str(final),
            handle.bytes,
            handle.sha256,
            digests.md5,
            entry.verification,
            attempts,
            resumed_from,
            chrom=file.chrom,
            extra={"download_sha256": digests.sha256, "download_bytes": digests.size},
        )
        self.store.write_json(record_path, {**result.metadata(), **result.extra, "expected": expected})
        for leftover in {part, meta_path(part), Path(local)}:
            leftover.unlink(missing_ok=True)
        return result

    # -- steps --------------------------------------------------------------------------------------
    def _expected(self, file: SourceFile) -> dict[str, Any]:
        """Pinned size/checksums, plus the provider's published checksum (which must agree)."""
        entry = file.entry
        expected: dict[str, Any] = {"size": entry.size, "sha256": entry.sha256, "md5": entry.md5}
        checksum_url = file.checksum_url
        if checksum_url:
            listing = self._with_retries(file, lambda: read_small(checksum_url, entry.storage_options))
            published = find_checksum(listing.decode("utf-8", "replace"), file.filename)
            if published is None:
                raise SourceChanged(
                    entry.name,
                    file.url,
                    f"{file.checksum_url} lists no checksum for "
                    f"{file.filename!r}: the file was renamed or removed upstream",
                )
            algorithm = "sha256" if len(published) == 64 else "md5"
            if expected[algorithm] and expected[algorithm] != published:
                raise SourceChanged(
                    entry.name,
                    file.url,
                    f"provider now publishes {algorithm} {published}, "
                    f"catalogue pins {expected[algorithm]}: changed upstream",
                )
            expected[algorithm] = published
        return expected

    def _already_done(
        self, file: SourceFile, final: Any, record_path: Any, expected: dict[str, Any]
    ) -> DownloadResult | None:
        if not (final.exists() and record_path.exists()):
            return None
        record = json.loads(record_path.read_text())
        same = record.get("url") == file.url and all(
            expected[k] is None or record.get("expected", {}).get(k) == expected[k] for k in expected
        )
        if not same or final.stat().st_size != record.get("size"):
            return None
        return DownloadResult(
            file.entry.name,
            file.url,
            str(final),
            record["size"],
            record["sha256"],
            record["md5"],
            record["verification"],
            skipped=True,
            chrom=file.chrom,
        )

    def _transfer_with_retries(self, file: SourceFile, part: Path) -> tuple[int, int]:
        started, attempt = self.clock(), 0
        while True:
            attempt += 1
            try:
                return attempt, transfer_part(file, part, self.chunk_size)
            except SourceError as exc:
                if not exc.transient:
                    raise
                self._wait_or_give_up(file, exc, attempt, started)

    def _with_retries(self, file: SourceFile, action: Callable[[], Any]) -> Any:
        started, attempt = self.clock(), 0
        while True:
            attempt += 1
            try:
                return action()
            except Exception as exc:  # noqa: BLE001 - classified below
                error = classify(exc, file.entry.name, file.checksum_url or file.url)
                if not error.transient:
                    raise error from exc
                self._wait_or_give_up(file, error, attempt, started)

    def _wait_or_give_up(self, file: SourceFile, exc: SourceError, attempt: int, started: float) -> None:
        delay = self.retry.delay(attempt)
        if attempt >= self.retry.attempts or self.clock() - started + delay > self.retry.deadline_s:
            raise SourceUnavailable(
                file.entry.name,
                file.url,
                f"gave up after {attempt} attempt(s) in "
                f"{self.clock() - started:.0f} s; last error: {exc.problem}",
            ) from exc
        log.warning(
            "%s: %s; retry %d/%d in %.1f s", file.label, exc.problem, attempt + 1, self.retry.attempts, delay
        )
        self.sleep(delay)

    def _verify(self, file: SourceFile, part: Path, expected: dict[str, Any]) -> Digests:
        digests = file_digests(part)
        name, url = file.entry.name, file.url
        if expected["size"] is not None and digests.size != expected["size"]:
            discard(part)
            raise SourceTruncated(name, url, f"downloaded {digests.size} bytes, expected {expected['size']}")
        for algorithm in ("sha256", "md5"):
            want, got = expected[algorithm], getattr(digests, algorithm)
            if want and want != got:
                discard(part)
                raise SourceChanged(
                    name,
                    url,
                    f"{algorithm} {got} != expected {want}: the file changed "
                    "upstream or arrived corrupt (partial download deleted)",
                )
        return digests

    def _post_process(self, file: SourceFile, part: Path) -> str:
        if file.entry.post != "gunzip":
            return str(part)
        out = part.with_name(part.name + ".gunzip")
        try:
            with gzip.open(part, "rb") as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, self.chunk_size)
        except (OSError, EOFError) as exc:
            out.unlink(missing_ok=True)
            discard(part)
            raise SourceChanged(file.entry.name, file.url, f"not a valid gzip file ({exc})") from exc
        return str(out)
