"""What every asset of the `sources` group shares: its key, its checks, the one asset builder, and the
steps of a download (fetch with a failed check on error, report the files as one handle with metadata).

What belongs here: `source_key`, `source_asset` (the decorator every source asset is made with: group,
handle IO manager, the two checks), `fetch_checked`, `report`, and the staging folder and result of a
derived file. Not here: which asset an entry becomes (`sources.py`), the derived sources' work
(`sources_derived.py`), the downloads themselves (`utr_assets.sources`).
"""

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetDep,
    AssetKey,
    AssetsDefinition,
    Failure,
    MetadataValue,
    Output,
    PartitionsDefinition,
    asset,
)

from utr_assets.platform.artifacts import ArtifactHandle, ArtifactStoreResource
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.sources import Downloader, SourceEntry, SourceError
from utr_assets.sources.catalogue import SourceFile
from utr_assets.sources.download import DownloadResult, default_staging

GROUP = "sources"
CHECKS = {
    "download_verified": "Size and checksum match the catalogue / the provider's checksum file (blocking).",
    "checksum_published": "A checksum is pinned or published for this file (warning when unverified).",
}


def source_key(name: str) -> AssetKey:
    return AssetKey([GROUP, name])


def source_asset(
    key: AssetKey,
    description: str,
    *,
    partitions_def: PartitionsDefinition | None = None,
    deps: Sequence[AssetKey | AssetDep] | None = None,
    code_version: str = "1",
    metadata: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """The `@asset` of one source: group `sources`, a JSON handle (handle IO manager), the CHECKS."""
    return asset(
        key=key,
        group_name=GROUP,
        partitions_def=partitions_def,
        deps=deps,
        io_manager_key="handle_io_manager",
        code_version=code_version,
        check_specs=named_check_specs(key, CHECKS),
        description=description,
        metadata=metadata,
    )


def _handle(result: DownloadResult) -> ArtifactHandle:
    return ArtifactHandle(
        result.uri,
        result.sha256,
        result.size,
        extra={
            "source": result.source,
            "url": result.url,
            "verification": result.verification,
            "md5": result.md5,
            "chrom": result.chrom,
        },
    )


def fetch_checked(
    key: AssetKey, downloader: Downloader, file: SourceFile
) -> Generator[AssetCheckResult, None, DownloadResult]:
    """Download one file; on a verification or transfer error, a failed blocking check, then the failure.
    Use as ``result = yield from fetch_checked(...)``."""
    try:
        return downloader.fetch(file)
    except SourceError as exc:
        yield plain_check(key, "download_verified", False, {"error": str(exc), "url": file.url})
        raise Failure(description=str(exc), metadata={"url": file.url}) from exc


def fetch_each(
    key: AssetKey, downloader: Downloader, entries: Sequence[tuple[SourceEntry, str]]
) -> Generator[AssetCheckResult, None, list[DownloadResult]]:
    """`fetch_checked` of each (entry, file name) in turn; returns the results (``yield from``)."""
    results: list[DownloadResult] = []
    for entry, filename in entries:
        if entry.url is None:
            raise SourceError(entry.name, filename, "a listed file without a URL")
        results.append((yield from fetch_checked(key, downloader, SourceFile(entry, entry.url, filename))))
    return results


def report(key: AssetKey, results: list[DownloadResult], verification: str) -> Iterator[Any]:
    """The asset's output (the first file's handle, every file listed) and its two checks."""
    first = results[0]
    metadata: dict[str, Any] = {
        "url": MetadataValue.url(first.url),
        "uri": first.uri,
        "files": len(results),
        "bytes": sum(r.size for r in results),
        "sha256": first.sha256,
        "verification": verification,
        "attempts": sum(r.attempts for r in results),
        "resumed_from": first.resumed_from,
        "already_present": all(r.skipped for r in results),
    }
    value = _handle(first).to_dict() | {"files": [_handle(r).to_dict() for r in results]}
    yield Output(value, metadata=metadata)
    yield plain_check(key, "download_verified", True, {"sha256": first.sha256, "bytes": metadata["bytes"]})
    yield plain_check(
        key,
        "checksum_published",
        verification not in ("unverified", "derived"),
        {"verification": verification},
        blocking=False,
    )


def downloader(artifact_store: ArtifactStoreResource) -> Downloader:
    return Downloader(artifact_store.get_store(), default_staging(artifact_store.root))


def staging_dir(artifact_store: ArtifactStoreResource, name: str) -> Path:
    """A local folder where a derived source is written before it goes to the store."""
    staging = default_staging(artifact_store.root) / name
    staging.mkdir(parents=True, exist_ok=True)
    return staging


def derived_result(
    entry: SourceEntry, url: str, handle: ArtifactHandle, chrom: str | None = None, **extra: Any
) -> DownloadResult:
    """A file made here from downloaded ones (``url`` says from what), reported like a download with
    verification "derived"."""
    return DownloadResult(
        entry.name, url, handle.uri, handle.bytes, handle.sha256, "", "derived", chrom=chrom, extra=extra
    )
