"""Orchestration of one simulated world: seeded random streams, the reference (FASTA, GTF), the
species tree, the MAF per chromosome (streamed region by region), then the task sources and the
manifest. `generate_sample` is the public entry point.

Determinism: every random stream is `Generator(PCG64([seed, stream]))` with a fixed stream number
per stage, all iteration is over lists in a fixed order, and every compressed file is written
without timestamps; the same (seed, scale) gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pysam

from utr_assets.simulate.chromosomes import build_chromosomes
from utr_assets.simulate.evolve import Evolver
from utr_assets.simulate.fileio import close_gzip_text, decode, open_gzip_text, write_bgzip_text
from utr_assets.simulate.genome import RANDOM_CONTIG, Chromosome, Gene
from utr_assets.simulate.gtf import gtf_text
from utr_assets.simulate.layout import build_layouts
from utr_assets.simulate.maf import MafWriter
from utr_assets.simulate.scales import Scale
from utr_assets.simulate.species import Walk, build_tree, to_newick, walk_from_reference

STREAMS = {
    "genome": 1,
    "layout": 2,
    "evolve": 3,
    "maf": 4,
    "rbp": 5,
    "variants": 6,
    "expression": 7,
    "clusters": 8,
}


def stream(seed: int, name: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64([seed, STREAMS[name]]))


@dataclass
class AlignedRegion:
    chrom: str
    start: int
    end: int
    gene: Gene | None
    rates: np.ndarray
    protect: np.ndarray
    phylop: np.ndarray | None = None
    ancestor: np.ndarray | None = None


@dataclass
class World:
    seed: int
    scale: Scale
    out: Path
    chromosomes: list[Chromosome]
    walk: Walk
    regions: list[AlignedRegion] = field(default_factory=list)
    maf_text_bytes: dict[str, int] = field(default_factory=dict)

    @property
    def primary(self) -> list[Chromosome]:
        return [c for c in self.chromosomes if c.name != RANDOM_CONTIG]

    def chrom(self, name: str) -> Chromosome:
        return next(c for c in self.chromosomes if c.name == name)

    def coding_genes(self, primary_only: bool = True) -> list[Gene]:
        chroms = self.primary if primary_only else self.chromosomes
        return [g for c in chroms for g in c.genes if g.gene_type == "protein_coding"]


def write_genome(world: World) -> None:
    folder = world.out / "genome"
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for chrom in world.chromosomes:
        text = decode(chrom.codes, chrom.lower)
        parts.append(f">{chrom.name}\n" + "".join(text[i : i + 60] + "\n" for i in range(0, len(text), 60)))
    path = folder / "genome.fa.gz"
    write_bgzip_text(path, "".join(parts))
    pysam.faidx(str(path))


def write_annotation(world: World) -> None:
    folder = world.out / "annotation"
    folder.mkdir(parents=True, exist_ok=True)
    write_bgzip_text(folder / "genes.gtf.gz", gtf_text(world.chromosomes))


def write_tree(world: World, root) -> None:
    folder = world.out / "species"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tree.nh").write_text(to_newick(root))
    (folder / "species.txt").write_text("".join(f"{name}\n" for name in world.walk.species))


def collect_regions(world: World) -> list[AlignedRegion]:
    regions = []
    for chrom in world.primary:
        for gene in chrom.genes:
            if gene.region is not None:
                assert gene.region_rates is not None and gene.region_protect is not None  # set with region
                regions.append(
                    AlignedRegion(chrom.name, *gene.region, gene, gene.region_rates, gene.region_protect)
                )
        for (s, e), rates in chrom.neutral_regions:
            regions.append(AlignedRegion(chrom.name, s, e, None, rates, np.zeros(e - s, dtype=bool)))
    regions.sort(key=lambda r: ([c.name for c in world.chromosomes].index(r.chrom), r.start))
    return regions


class _CountingWriter:
    def __init__(self, handle) -> None:
        self.handle, self.count = handle, 0

    def write(self, text: str) -> None:
        self.count += len(text)
        self.handle.write(text)


def write_alignments(world: World, keep_tracks: bool) -> None:
    """Stream one gzip MAF per primary chromosome; keep per-region PhyloP/ancestor arrays if asked."""
    folder = world.out / "alignments"
    folder.mkdir(parents=True, exist_ok=True)
    world.regions = collect_regions(world)
    layouts = build_layouts(
        stream(world.seed, "layout"),
        world.walk.species,
        [r.end - r.start for r in world.regions],
        [r.chrom for r in world.regions],
    )
    paralog_size = 3 * sum(r.end - r.start for r in world.regions) + 1_000_000
    for layout in layouts.values():
        layout.contig_sizes[layout.paralog_contig] = paralog_size
    evolver = Evolver(world.walk, stream(world.seed, "evolve"))
    writer = MafWriter(stream(world.seed, "maf"), world.walk, layouts, paralog_size)
    for chrom in world.primary:
        handle = open_gzip_text(folder / f"{chrom.name}.maf.gz", world.scale.maf_level)
        out = _CountingWriter(handle)
        out.write(
            f"##maf version=1 scoring=N/A\n# utr-assets mini-zoo simulator: seed={world.seed} "
            f"scale={world.scale.name} reference=Homo_sapiens\n\n"
        )
        for index, region in enumerate(world.regions):
            if region.chrom != chrom.name:
                continue
            human = chrom.codes[region.start : region.end]
            aln = evolver.evolve(human, region.rates, region.protect)
            phylop = writer.write_region(
                out,
                index,
                chrom.name,
                len(chrom.codes),
                region.start,
                chrom.lower[region.start : region.end],
                aln,
            )
            if keep_tracks:
                region.phylop, region.ancestor = phylop, aln.ancestor
        close_gzip_text(handle)
        world.maf_text_bytes[chrom.name] = out.count


def build_world(out: Path, seed: int, scale: Scale) -> World:
    root = build_tree(scale.n_species)
    chromosomes = build_chromosomes(stream(seed, "genome"), scale, stream(seed, "clusters"))
    world = World(seed, scale, out, chromosomes, walk_from_reference(root))
    write_genome(world)
    write_annotation(world)
    write_tree(world, root)
    write_alignments(world, keep_tracks=scale.write_tasks)
    return world
