"""Per-base facts about every human 3'UTR base of the canonical coding transcripts on the primary
chromosomes, gathered once for the task writers: position, reference base, whether it lies in a
planted functional or neutral motif instance, its evolutionary rate, PhyloP-style score and the
base of the human-chimp ancestor.

Positions are 0-based genome coordinates; `ref` is on the + strand (genome orientation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from utr_assets.simulate.fileio import GAP, N
from utr_assets.simulate.genome import Gene
from utr_assets.simulate.world import World


@dataclass
class UtrSites:
    chrom: np.ndarray  # chromosome name per base (object array)
    pos: np.ndarray  # 0-based genome position
    ref: np.ndarray  # genome code (+ strand)
    gene: np.ndarray  # index into genes
    functional: np.ndarray  # inside a planted functional instance
    neutral_motif: np.ndarray
    rate: np.ndarray
    phylop: np.ndarray
    ancestor: np.ndarray  # code of the human-chimp ancestor (GAP where it has a deletion)

    def __len__(self) -> int:
        return len(self.pos)


def collect_sites(world: World) -> tuple[UtrSites, list[Gene]]:
    """Sites over the 3'UTR blocks of every aligned coding gene, in genome order."""
    genes: list[Gene] = []
    parts: list[tuple[np.ndarray, ...]] = []
    for region in world.regions:
        gene = region.gene
        if gene is None:
            continue
        codes = world.chrom(region.chrom).codes
        for s, e in gene.utr_blocks:
            pos = np.arange(s, e)
            local = pos - region.start
            functional = np.zeros(e - s, dtype=bool)
            neutral = np.zeros(e - s, dtype=bool)
            for inst in gene.instances:
                lo, hi = max(inst.start, s) - s, min(inst.start + 5, e) - s
                if hi > lo:
                    (functional if inst.functional else neutral)[lo:hi] = True
            phylop = region.phylop[local] if region.phylop is not None else np.zeros(e - s, np.float32)
            ancestor = (
                region.ancestor[local] if region.ancestor is not None else np.full(e - s, GAP, np.uint8)
            )
            parts.append(
                (
                    np.full(e - s, region.chrom, dtype=object),
                    pos,
                    codes[s:e],
                    np.full(e - s, len(genes)),
                    functional,
                    neutral,
                    region.rates[local],
                    phylop,
                    ancestor,
                )
            )
        genes.append(gene)
    columns = [np.concatenate(c) for c in zip(*parts, strict=True)]
    sites = UtrSites(*columns)
    keep = sites.ref < N
    return UtrSites(*(c[keep] for c in columns)), genes


def other_base(rng: np.random.Generator, ref: np.ndarray) -> np.ndarray:
    """A different base per site, transitions twice as likely as each transversion."""
    return ((ref + rng.choice((1, 2, 3), size=len(ref), p=(0.25, 0.5, 0.25))) % 4).astype(np.uint8)
