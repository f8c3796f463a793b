"""Outputs that describe the planted biology directly: the PhyloP-style wiggle track (computed
from the written MAF rows) and the truth tables (planted motif instances, RBP effects).

Wiggle `fixedStep` starts are 1-based (UCSC); truth tables use 0-based half-open coordinates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from utr_assets.simulate.biology import RBPS
from utr_assets.simulate.fileio import close_gzip_text, open_gzip_text
from utr_assets.simulate.genome import RANDOM_CONTIG


def write_phylop(world, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open_gzip_text(path)
    for region in world.regions:
        if region.phylop is None:
            continue
        handle.write(f"fixedStep chrom={region.chrom} start={region.start + 1} step=1\n")
        handle.write("".join(f"{v:.3f}\n" for v in np.round(region.phylop, 3)))
    close_gzip_text(handle)


def write_truth(world, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "chrom\tstart\tend\tstrand\tgene_id\ttranscript_id\trbp\tkmer\tfunctional\tutr_offset\taligned\n"
    ]
    functional = neutral = 0
    for chrom in world.chromosomes:
        for gene in chrom.genes:
            for inst in gene.instances:
                functional += inst.functional
                neutral += not inst.functional
                lines.append(
                    f"{inst.chrom}\t{inst.start}\t{inst.start + 5}\t{inst.strand}\t{gene.gene_id}\t"
                    f"{gene.transcripts[0].transcript_id}\t{inst.rbp}\t{inst.kmer}\t{int(inst.functional)}\t"
                    f"{inst.utr_offset}\t{int(gene.region is not None and chrom.name != RANDOM_CONTIG)}\n"
                )
    (folder / "motif_instances.tsv").write_text("".join(lines))
    rbps = ["rbp\tkmers\tstability_effect_log2\n"] + [
        f"{r}\t{','.join(k)}\t{e}\n" for r, (k, e) in RBPS.items()
    ]
    (folder / "rbps.tsv").write_text("".join(rbps))
    return {"functional_instances": functional, "neutral_instances": neutral}
