"""Deterministic file writing for the simulator: gzip without timestamps, bgzip/tabix via pysam,
sha256 digests, and the sequence alphabet shared by every module.

Invariant: the same bytes in give the same bytes out (gzip mtime=0 and no file name in the
header; BGZF from htslib is deterministic), so a seed reproduces the sample byte for byte.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pysam

from utr_assets.common.outputs import file_sha256
from utr_assets.common.sequences import CODE_LETTERS

# Sequence codes used throughout simulate/: A C G T N and the alignment gap (common.sequences.CODE_LETTERS,
# whose reverse_complement_codes reverse-complements them).
A, C, G, T, N, GAP = 0, 1, 2, 3, 4, 5
UPPER = np.frombuffer(CODE_LETTERS, dtype=np.uint8)
LOWER = np.frombuffer(CODE_LETTERS.lower(), dtype=np.uint8)
_ENCODE = np.full(256, N, dtype=np.uint8)
for _code, _letter in enumerate(CODE_LETTERS):
    _ENCODE[_letter] = _code
    _ENCODE[ord(chr(_letter).lower())] = _code
TabixPreset = Literal["gff", "bed", "sam", "vcf", "psltbl", "pileup"]  # pysam.tabix_index's presets


def encode(text: str) -> np.ndarray:
    return _ENCODE[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]


def decode(codes: np.ndarray, lower: np.ndarray | None = None) -> str:
    letters = UPPER[codes]
    if lower is not None:
        letters = np.where(lower, LOWER[codes], letters)
    return letters.tobytes().decode("ascii")


class GzipTextHandle(io.TextIOWrapper):
    """A text handle over a GzipFile that keeps the raw file beneath it (GzipFile does not close a
    file object it was given), so `close_gzip_text` can close both."""

    def __init__(self, raw: BinaryIO, gz: gzip.GzipFile) -> None:
        super().__init__(gz, encoding="ascii", newline="\n")
        self.raw_file = raw


def open_gzip_text(path: Path, level: int = 6) -> GzipTextHandle:
    """A text handle writing gzip with mtime=0 and an empty name field (reproducible bytes)."""
    raw = open(path, "wb")  # noqa: SIM115 - closed through the wrapper
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0)
    return GzipTextHandle(raw, gz)


def close_gzip_text(handle: GzipTextHandle) -> None:
    raw = handle.raw_file
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
    path: Path,
    text: str,
    preset: TabixPreset | None = None,
    seq_col: int = 0,
    start_col: int = 1,
    end_col: int = 1,
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
