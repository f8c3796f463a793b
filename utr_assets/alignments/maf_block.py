"""One MAF alignment block as parsed: its rows, their coordinates and texts, and row naming.

What belongs here: `MafBlock` (parallel row lists, the reference row, e/i/q lines), `split_name`
(``species.contig``) and the gap byte. Not here: the grammar that fills a block (`block_parser.py`), the
stream of blocks (`reader.py`), projections onto 3'UTRs (`projection.py`).

Conventions (UCSC MAF): ``start`` is 0-based on the row's strand; for a ``-`` row the forward start is
``srcSize - start - size``. The reference row of a block is the first ``s`` row of the reference species.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GAP = 45  # ord("-")


def split_name(name: str) -> tuple[str, str]:
    """``species.contig`` split at the first dot; a name without a dot is a species with contig ``""``.

    Species names are kept verbatim (``Canis_lupus_familiaris``, ``simCow_chr6``); contigs may contain
    dots (``simCow.chr6``, ``scaffold_114895.1-498454``).
    """
    species, _, contig = name.partition(".")
    return species, contig


@dataclass(slots=True)
class MafBlock:
    """One ``a`` block. Row lists are parallel and hold the ``s`` rows in file order."""

    path: str
    line: int  # 1-based line of the ``a`` line
    offset: int  # uncompressed byte offset of the ``a`` line
    score: float | None
    species: list[str]
    contigs: list[str]
    starts: list[int]
    sizes: list[int]
    strands: list[str]
    src_sizes: list[int]
    texts: list[bytes]
    row_lines: list[int]
    ref: int = -1  # index of the reference row, -1 when no reference species was asked for
    empty: list[tuple[str, str, int, int, str, int, str]] = field(default_factory=list)  # e lines
    status: dict[int, tuple[str, int, str, int]] = field(default_factory=dict)  # i lines by row
    quality: dict[int, bytes] = field(default_factory=dict)  # q lines by row

    @property
    def ncols(self) -> int:
        return len(self.texts[0]) if self.texts else 0

    @property
    def ref_chrom(self) -> str:
        return self.contigs[self.ref]

    @property
    def ref_start(self) -> int:
        return self.starts[self.ref]

    @property
    def ref_end(self) -> int:
        return self.starts[self.ref] + self.sizes[self.ref]

    def matrix(self) -> np.ndarray:
        """All ``s`` rows as a (rows, columns) uint8 array of ASCII codes."""
        return np.frombuffer(b"".join(self.texts), dtype=np.uint8).reshape(len(self.texts), self.ncols)
