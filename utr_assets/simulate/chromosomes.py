"""Assembly of whole chromosomes: genes laid out with intergenic background, lncRNAs, aligned
neutral intergenic stretches, telomere-like N runs and soft-masked (lower-case) repeats; plus a
small non-primary contig carrying coding genes that the 3'UTR selection must filter out.

Chromosome order and names are fixed: chr1, chr2, chr3 (as many as the scale has), then
chr1_KI270706v1_random. Aligned regions never overlap and are separated by >= 500 bp.
"""

from __future__ import annotations

import numpy as np

from utr_assets.simulate import biology
from utr_assets.simulate.fileio import N
from utr_assets.simulate.genome import (
    CDS_FLANK,
    DOWN_FLANK,
    RANDOM_CONTIG,
    Chromosome,
    Gene,
    _Ids,
    build_coding_gene,
    build_noncoding_gene,
    region_rates,
)
from utr_assets.simulate.scales import Scale

TELOMERE_N = 500


class _Builder:
    def __init__(self, rng: np.random.Generator, name: str) -> None:
        self.rng, self.name = rng, name
        self.chunks: list[np.ndarray] = []
        self.kinds: list[np.ndarray] = []
        self.offset = 0

    def add(self, codes: np.ndarray, kinds: np.ndarray | None = None) -> int:
        start = self.offset
        self.chunks.append(codes.astype(np.uint8))
        self.kinds.append(kinds if kinds is not None else np.zeros((2, len(codes)), dtype=np.uint8))
        self.offset += len(codes)
        return start

    def background(self, length: int) -> int:
        return self.add(biology.background(self.rng, length, biology.CODE_WEIGHTS["genome"]))

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate(self.chunks), np.concatenate(self.kinds, axis=1)


def _soft_mask(rng: np.random.Generator, length: int, kinds: np.ndarray) -> np.ndarray:
    """Lower-case repeat-like runs, mostly outside exons; a few reach into 3'UTRs."""
    lower = np.zeros(length, dtype=bool)
    for _ in range(rng.poisson(length / 3_000)):
        run = int(rng.integers(50, 300))
        start = int(rng.integers(0, max(1, length - run)))
        segment = kinds[0, start : start + run]
        if np.isin(segment, (1, 2, 5, 6)).any():
            continue
        if (segment == 3).any() and rng.random() < 0.7:
            continue
        lower[start : start + run] = True
    return lower


def build_chromosome(
    rng: np.random.Generator,
    scale: Scale,
    ids: _Ids,
    name: str,
    n_genes: int,
    n_lnc: int,
    neutral_every: int,
    cluster_rng: np.random.Generator | None = None,
) -> Chromosome:
    b = _Builder(rng, name)
    b.add(np.full(TELOMERE_N, N, dtype=np.uint8))
    b.background(1_000)
    genes: list[Gene] = []
    neutral: list[tuple[tuple[int, int], np.ndarray]] = []
    lnc_slots = set(rng.choice(max(1, n_genes), size=min(n_lnc, max(1, n_genes)), replace=False).tolist())
    for i in range(n_genes):
        b.background(int(rng.integers(*scale.intergenic)))
        if neutral_every and i % neutral_every == neutral_every // 2:
            length = int(rng.integers(150, 500))
            start = b.background(length)
            rates = rng.gamma(2.0, 0.5, size=length).astype(np.float32)
            neutral.append(((start, start + length), rates))
            b.background(int(rng.integers(500, 1_000)))
        if i in lnc_slots:
            gene, codes = build_noncoding_gene(rng, ids, name, b.offset)
            b.add(codes)
            genes.append(gene)
            b.background(int(rng.integers(*scale.intergenic)))
        gene, codes, kinds = build_coding_gene(rng, scale, ids, name, b.offset, cluster_rng)
        b.add(codes, kinds)
        genes.append(gene)
    b.background(int(rng.integers(*scale.intergenic)))
    b.add(np.full(200, N, dtype=np.uint8))
    codes, kinds = b.finish()
    for gene in genes:
        if gene.gene_type != "protein_coding":
            continue
        stop = gene.transcripts[0].stop_codon[0]
        if gene.strand == "+":
            gene.region = (stop[0] - CDS_FLANK, max(e for _, e in gene.utr_blocks) + DOWN_FLANK)
        else:
            gene.region = (min(s for s, _ in gene.utr_blocks) - DOWN_FLANK, stop[1] + CDS_FLANK)
        s, e = gene.region
        gene.region_rates, gene.region_protect = region_rates(rng, kinds[0, s:e], kinds[1, s:e])
    return Chromosome(name, codes, _soft_mask(rng, len(codes), kinds), genes, neutral)


def build_chromosomes(
    rng: np.random.Generator, scale: Scale, cluster_rng: np.random.Generator | None = None
) -> list[Chromosome]:
    """The chromosomes, genes drawn from ``rng``; ``cluster_rng`` grows motif clusters (``biology``)."""
    ids = _Ids(rng)
    chroms = [
        build_chromosome(rng, scale, ids, f"chr{i + 1}", n, 1 + n // 60, 10, cluster_rng)
        for i, n in enumerate(scale.genes_per_chrom)
    ]
    chroms.append(build_chromosome(rng, scale, ids, RANDOM_CONTIG, 2, 0, 0, cluster_rng))
    return chroms
