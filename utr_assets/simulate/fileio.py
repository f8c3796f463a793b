"""Deterministic file writing for the simulator: gzip without timestamps, bgzip/tabix via pysam,
sha256 digests, and the sequence alphabet shared by every module.

Invariant: the same bytes in give the same bytes out (gzip mtime=0 and no file name in the
header; BGZF from htslib is deterministic), so a seed reproduces the sample byte for byte.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pysam

from utr_assets.common.outputs import file_sha256

# Sequence codes used throughout simulate/: A C G T N and the alignment gap.
A, C, G, T, N, GAP = 0, 1, 2, 3, 4, 5
UPPER = np.frombuffer(b"ACGTN-", dtype=np.uint8)
LOWER = np.frombuffer(b"acgtn-", dtype=np.uint8)
_ENCODE = np.full(256, N, dtype=np.uint8)
for _code, _letter in enumerate(b"ACGTN-"):
    _ENCODE[_letter] = _code
    _ENCODE[ord(chr(_letter).lower())] = _code
COMPLEMENT = np.array([T, G, C, A, N, GAP], dtype=np.uint8)


def encode(text: str) -> np.ndarray:
    return _ENCODE[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]


def decode(codes: np.ndarray, lower: np.ndarray | None = None) -> str:
    letters = UPPER[codes]
    if lower is not None:
        letters = np.where(lower, LOWER[codes], letters)
    return letters.tobytes().decode("ascii")


def revcomp(codes: np.ndarray) -> np.ndarray:
    return COMPLEMENT[codes[::-1]]


def open_gzip_text(path: Path, level: int = 6) -> io.TextIOWrapper:
    """A text handle writing gzip with mtime=0 and an empty name field (reproducible bytes)."""
    raw = open(path, "wb")  # noqa: SIM115 - closed through the wrapper
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0)
    handle = io.TextIOWrapper(gz, encoding="ascii", newline="\n")
    handle._utr_raw = raw  # type: ignore[attr-defined] - keep the file object alive and closable
    return handle


def close_gzip_text(handle: io.TextIOWrapper) -> None:
    raw = handle._utr_raw  # type: ignore[attr-defined]
    handle.close()
    raw.close()


def write_gzip_text(path: Path, text: str, level: int = 6) -> None:
    handle = open_gzip_text(path, level)
    handle.write(text)
    close_gzip_text(handle)


def write_bgzip_text(path: Path, text: str) -> None:
    """BGZF-compress text to ``path`` (path ends in .gz) through a temporary plain file."""
    plain = path.with_suffix("")
    plain.write_text(text, encoding="ascii")
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()


def write_tabix(
    path: Path, text: str, preset: str | None = None, seq_col: int = 0, start_col: int = 1, end_col: int = 1
) -> None:
    """BGZF-compress and tabix-index text (``path`` ends in .gz; the .tbi is written beside)."""
    plain = path.with_suffix("")
    plain.write_text(text, encoding="ascii")
    if preset:
        pysam.tabix_index(str(plain), preset=preset, force=True)
    else:
        pysam.tabix_index(
            str(plain),
            seq_col=seq_col,
            start_col=start_col,
            end_col=end_col,
            meta_char="#",
            zerobased=False,
            force=True,
        )


sha256 = file_sha256  # one file-hash helper (utr_assets.common.outputs)
