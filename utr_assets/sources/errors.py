"""Download errors: each names the source, the URL and what went wrong, so a failed run says what to fix.

What belongs here: the exception types the downloader raises. ``transient`` tells the retry loop whether
trying again can help (a dropped connection can; a 404 or a checksum that changed upstream cannot).
"""

from __future__ import annotations


class SourceError(RuntimeError):
    """Base class: ``source`` (catalogue name), ``url`` and a human-readable ``problem``."""

    transient = False

    def __init__(self, source: str, url: str, problem: str):
        self.source, self.url, self.problem = source, url, problem
        super().__init__(f"source {source!r} ({url}): {problem}")

    def __reduce__(self):  # rebuilt from its fields in another process, message intact
        return (type(self), (self.source, self.url, self.problem))


class SourceMissing(SourceError):
    """The file is not there (HTTP 404, no such key or path)."""


class SourceTruncated(SourceError):
    """Fewer or more bytes than expected: a truncated transfer or a file that changed size upstream."""


class SourceChanged(SourceError):
    """The checksum does not match the one pinned or published: the file changed upstream (or is corrupt)."""


class SourceUnavailable(SourceError):
    """The transfer kept failing (network, server errors) after the bounded retries."""


class SourceTransient(SourceError):
    """One failed attempt that may succeed when retried (dropped connection, 5xx, timeout)."""

    transient = True


class CatalogueError(ValueError):
    """The sources catalogue (data/sources.yaml) is invalid; the message names the file and the entry."""
