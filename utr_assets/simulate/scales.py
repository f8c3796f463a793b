"""Named sizes of a simulated world (`--scale`): how many genes and species, how long the
3'UTRs are, which outputs are written and how hard the MAF is compressed.

`sample` is the committed default (data/sample/); `medium` is ~6x that with every task;
`bench` is an alignment benchmark world (~0.6 GB of MAF text, 97 species) without task files and
`bench-1g` the same at ~1 GB (measured: 1.02 GB text, 280 MB gzip, 240 s CPU, 383 MB peak RSS).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    genes_per_chrom: tuple[int, ...]  # protein-coding genes on chr1, chr2, ...
    n_species: int
    utr_median: float  # 3'UTR length: log-normal (real: median 1,083 bp, mean 1,792)
    utr_sigma: float
    utr_min: int
    utr_max: int
    codons: tuple[int, int]  # CDS length range in codons
    intron: tuple[int, int]
    intergenic: tuple[int, int]
    motif_density: float  # planted instances per UTR base
    write_tasks: bool
    maf_level: int  # gzip level of the MAF files


SCALES: dict[str, Scale] = {
    "sample": Scale(
        "sample",
        (70, 55, 35),
        35,
        330.0,
        0.7,
        60,
        2_400,
        (60, 220),
        (120, 600),
        (900, 2_500),
        1 / 45,
        True,
        6,
    ),
    "medium": Scale(
        "medium",
        (420, 330, 210),
        60,
        700.0,
        0.8,
        60,
        6_000,
        (100, 600),
        (300, 3_000),
        (2_000, 8_000),
        1 / 45,
        True,
        6,
    ),
    "bench": Scale(
        "bench",
        (850, 700, 550),
        97,
        1_083.0,
        0.85,
        60,
        10_000,
        (100, 800),
        (300, 3_000),
        (2_000, 8_000),
        1 / 45,
        False,
        1,
    ),
    "bench-1g": Scale(
        "bench-1g",
        (1_400, 1_150, 950),
        97,
        1_083.0,
        0.85,
        60,
        10_000,
        (100, 800),
        (300, 3_000),
        (2_000, 8_000),
        1 / 45,
        False,
        1,
    ),
}


def get_scale(name: str) -> Scale:
    if name not in SCALES:
        raise ValueError(f"unknown scale {name!r}; choose one of {', '.join(SCALES)}")
    return SCALES[name]
