"""The sample-data generator ("mini-zoo"): a seeded world of a human-like reference, a mammal
species tree, a human-referenced MAF and the task sources, all generated from one planted
biology (RBP motifs under selection, functional sites in homotypic clusters with a motif-like flank).
Plain Python (numpy, pysam); no Dagster here.

Public API: `generate_sample(out_dir, seed=0, scale="sample") -> Path` (the manifest path),
`SCALES`. The committed data/sample/ is `generate_sample(Path("data/sample"), 0, "sample")`.
"""

from __future__ import annotations

from pathlib import Path

from utr_assets.simulate.manifest import write_manifest
from utr_assets.simulate.scales import SCALES, get_scale
from utr_assets.simulate.world import build_world, stream

__all__ = ["SCALES", "generate_sample"]


def generate_sample(out_dir: Path, seed: int = 0, scale: str = "sample") -> Path:
    """Write a complete world under ``out_dir`` and return the path of its manifest.json."""
    from utr_assets.simulate import tasks_expression, tasks_rbp, tasks_variants, truth
    from utr_assets.simulate.sites import collect_sites

    size = get_scale(scale)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(out, seed, size)
    stats: dict[str, object] = {"maf_text_bytes": dict(world.maf_text_bytes)}
    stats["planted"] = truth.write_truth(world, out / "truth")
    if size.write_tasks:
        tasks = out / "tasks"
        sites, genes = collect_sites(world)
        rng = stream(seed, "rbp")
        stats["eclip_peaks"] = tasks_rbp.write_eclip(world, rng, tasks / "rbp" / "eclip")
        tasks_rbp.write_rbns(rng, tasks / "rbp")
        rng = stream(seed, "variants")
        variants = tasks / "variants"
        variants.mkdir(parents=True, exist_ok=True)
        stats["clinvar"] = tasks_variants.write_clinvar(world, rng, sites, genes, variants / "clinvar.vcf.gz")
        stats["gnomad"] = tasks_variants.write_gnomad(world, rng, sites, variants / "gnomad.vcf.gz")
        stats["eqtl"] = tasks_variants.write_eqtl(
            world, rng, sites, genes, variants / "eqtl_catalogue_susie.tsv.gz"
        )
        stats["cadd"] = tasks_variants.write_cadd(world, rng, sites, variants / "cadd_training")
        truth.write_phylop(world, tasks / "conservation" / "phylop.wig.gz")
        rng = stream(seed, "expression")
        n = len(world.coding_genes())
        stats["mpra_motif_correlation"] = tasks_expression.write_griesemer(world, rng, tasks / "mpra", 3 * n)
        stats["siegel_oligos"] = tasks_expression.write_siegel(world, rng, tasks / "mpra", 5 * n)
        stats["half_life"] = tasks_expression.write_half_life(world, rng, tasks / "half_life")
    return write_manifest(world, stats)
