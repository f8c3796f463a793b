"""Real inputs of the paper profile: the sources catalogue, a verified resumable downloader, hal2maf export.

Plain Python (no dagster); the Dagster assets that use it are in ``utr_assets.assets.sources``.
"""

from utr_assets.sources.catalogue import DEFAULT_CATALOGUE, Catalogue, SourceEntry, SourceFile, load_catalogue
from utr_assets.sources.download import Downloader, DownloadResult, RetryPolicy
from utr_assets.sources.errors import (
    CatalogueError,
    SourceChanged,
    SourceError,
    SourceMissing,
    SourceTruncated,
    SourceUnavailable,
)

__all__ = [
    "DEFAULT_CATALOGUE",
    "Catalogue",
    "CatalogueError",
    "DownloadResult",
    "Downloader",
    "RetryPolicy",
    "SourceChanged",
    "SourceEntry",
    "SourceError",
    "SourceFile",
    "SourceMissing",
    "SourceTruncated",
    "SourceUnavailable",
    "load_catalogue",
]
