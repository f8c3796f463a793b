"""Task 1 sources: ENCODE-style eCLIP IDR peaks (narrowPeak, one file per RBP) and an RBNS 5-mer
enrichment table (Dominguez et al. 2018 layout: one R value per 5-mer and RBP, plus the list of
enriched 5-mers). Peaks cover most functional planted instances of their RBP, few neutral ones,
plus background peaks.

narrowPeak is BED: 0-based start, end exclusive, on the gene's strand.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from utr_assets.simulate.biology import RBPS
from utr_assets.simulate.fileio import write_gzip_text

P_PEAK_FUNCTIONAL, P_PEAK_NEUTRAL, BACKGROUND_FRACTION = 0.85, 0.04, 0.15
CELL_LINE = "K562"


def write_eclip(world, rng: np.random.Generator, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    genes = world.coding_genes()
    counts: dict[str, int] = {}
    experiments = ["rbp\tcell_line\taccession\tfile\n"]
    for number, rbp in enumerate(RBPS):
        peaks: list[tuple[str, int, int, str, float]] = []
        for gene in genes:
            for inst in gene.instances:
                if inst.rbp != rbp:
                    continue
                if rng.random() < (P_PEAK_FUNCTIONAL if inst.functional else P_PEAK_NEUTRAL):
                    left, right = int(rng.integers(5, 35)), int(rng.integers(5, 35))
                    peaks.append(
                        (
                            inst.chrom,
                            max(0, inst.start - left),
                            inst.start + 5 + right,
                            inst.strand,
                            float(rng.uniform(2.0, 7.0)),
                        )
                    )
        for _ in range(int(len(peaks) * BACKGROUND_FRACTION) + 1):
            gene = genes[int(rng.integers(len(genes)))]
            s, e = gene.utr_blocks[int(rng.integers(len(gene.utr_blocks)))]
            width = int(rng.integers(20, 70))
            if e - s > width:
                start = int(rng.integers(s, e - width))
                peaks.append((gene.chrom, start, start + width, gene.strand, float(rng.uniform(1.0, 4.0))))
        order = [c.name for c in world.chromosomes]
        peaks.sort(key=lambda p: (order.index(p[0]), p[1], p[2]))
        lines = [
            f"{c}\t{s}\t{e}\t.\t1000\t{strand}\t{fc:.5f}\t{fc * 4 + rng.uniform(0, 10):.5f}\t-1\t-1\n"
            for c, s, e, strand, fc in peaks
        ]
        name = f"{rbp}_{CELL_LINE}.IDR.narrowPeak.gz"
        write_gzip_text(folder / name, "".join(lines))
        experiments.append(f"{rbp}\t{CELL_LINE}\tENCFF9{number:02d}{rbp[:3].upper()}\teclip/{name}\n")
        counts[rbp] = len(peaks)
    (folder.parent / "eclip_experiments.tsv").write_text("".join(experiments))
    return counts


def write_rbns(rng: np.random.Generator, folder: Path) -> None:
    kmers = ["".join(k) for k in itertools.product("ACGT", repeat=5)]
    table = np.exp(rng.normal(0.0, 0.04, size=(len(kmers), len(RBPS))))
    index = {k: i for i, k in enumerate(kmers)}
    for j, (motifs, _) in enumerate(RBPS.values()):
        for motif in motifs:
            table[index[motif], j] = rng.uniform(2.5, 6.0)
            for pos, base in itertools.product(range(5), "ACGT"):
                neighbour = motif[:pos] + base + motif[pos + 1 :]
                if neighbour not in motifs:
                    table[index[neighbour], j] = max(table[index[neighbour], j], rng.uniform(1.05, 1.3))
    header = "kmer\t" + "\t".join(RBPS) + "\n"
    rows = [k + "\t" + "\t".join(f"{v:.4f}" for v in table[i]) + "\n" for i, k in enumerate(kmers)]
    (folder / "rbns_5mer_enrichment.tsv").write_text(header + "".join(rows))
    z = (table - table.mean(axis=0)) / table.std(axis=0)
    enriched = ["rbp\tkmer\tR\tz_score\trank\n"]
    for j, rbp in enumerate(RBPS):
        order = np.argsort(-table[:, j], kind="stable")
        for rank, i in enumerate(order[:8], start=1):
            if z[i, j] >= 3.0:
                enriched.append(f"{rbp}\t{kmers[i]}\t{table[i, j]:.4f}\t{z[i, j]:.3f}\t{rank}\n")
    (folder / "rbns_enriched_5mers.tsv").write_text("".join(enriched))
