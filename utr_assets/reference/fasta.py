"""Reference genome access: an indexed FASTA (plain or bgzip) read with pysam.

`open_genome` validates the file and builds the .fai (and .gzi) index beside it when missing.
Plain gzip cannot be random-accessed: it is refused with the fix (recompress with bgzip).
Sequences come back upper-case; coordinates are 0-based half-open.
"""

from __future__ import annotations

from pathlib import Path

import pysam

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import is_gzip
from utr_assets.reference import fasta_checks


def _is_bgzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        header = handle.read(18)
    # BGZF: gzip member with FEXTRA and a 'BC' subfield (SAM spec, section 4.1)
    return len(header) >= 14 and header[3] & 4 == 4 and header[12:14] == b"BC"


_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _has_bgzf_eof(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - len(_BGZF_EOF)))
        return handle.read() == _BGZF_EOF


def _first_line_problem(path: Path) -> str | None:
    opener = __import__("gzip").open if is_gzip(path) else open
    try:
        with opener(path, "rb") as handle:
            first = handle.readline()
    except (OSError, EOFError) as exc:
        return f"cannot read the first line ({exc})"
    if not first.strip():
        return "file is empty"
    if not first.startswith(b">"):
        return f"FASTA must start with a '>' header line, found {first[:40]!r}"
    return None


class Genome:
    """An open, indexed FASTA. Use as a context manager or call `close()`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fasta = open_fasta(self.path)
        self.contigs: dict[str, int] = dict(zip(self._fasta.references, self._fasta.lengths, strict=True))

    def fetch(self, chrom: str, start: int, end: int) -> str:
        if chrom not in self.contigs:
            raise KeyError(chrom)
        if not (0 <= start <= end <= self.contigs[chrom]):
            raise ValueError(f"{chrom}:{start}-{end} outside contig of length {self.contigs[chrom]}")
        return self._fasta.fetch(chrom, start, end).upper()

    def close(self) -> None:
        self._fasta.close()

    def __enter__(self) -> Genome:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_fasta(path: Path) -> pysam.FastaFile:
    if not path.is_file():
        raise InputFormatError(path, "FASTA file not found")
    if path.stat().st_size == 0:
        raise InputFormatError(path, "FASTA file is empty")
    if is_gzip(path) and not _is_bgzip(path):
        raise InputFormatError(
            path,
            "FASTA is gzip-compressed but not bgzip; random access needs "
            "`bgzip` (e.g. `zcat in.fa.gz | bgzip > out.fa.gz`)",
        )
    if is_gzip(path) and not _has_bgzf_eof(path):
        raise InputFormatError(
            path, "bgzip file is truncated (no BGZF end-of-file block); re-download or recompress"
        )
    problem = _first_line_problem(path)
    if problem:
        raise InputFormatError(path, problem, 1)
    index = Path(f"{path}.fai")
    try:
        if not index.exists() or not fasta_checks.stamp_matches(path, index):
            fasta_checks.scan_fasta(path)  # duplicate contigs, non-nucleotide letters: file + line
            fasta_checks.build_index(path, index)  # atomic: concurrent openers never see a half-written .fai
        return pysam.FastaFile(str(path))
    except (pysam.utils.SamtoolsError, OSError, ValueError) as exc:
        message = " ".join(str(exc).split())
        raise InputFormatError(path, f"cannot index or open FASTA: {message}") from exc
