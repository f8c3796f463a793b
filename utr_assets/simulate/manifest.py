"""manifest.json of a simulated world: every file with its format, size, sha256 and purpose, the
seed and scale, the species, and what was planted (RBPs, rates, effect model, counts).

The manifest holds no absolute paths or timestamps, so it is itself reproducible byte for byte.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

from utr_assets.simulate.biology import (
    CLUSTER_EXTRA_COPIES,
    CLUSTER_PROBABILITY,
    CLUSTER_SPACER,
    FLANK_MOTIF_WEIGHT,
    FLANK_NT,
    NEUTRAL_EFFECT_FRACTION,
    POLYA_SIGNAL,
    RBPS,
)
from utr_assets.simulate.evolve import INDEL_RATE
from utr_assets.simulate.genome import FUNCTIONAL_RATE, POLYA_RATE, STOP_RATE
from utr_assets.simulate.species import REFERENCE_SPECIES

# (glob, format, description); the first match wins
FILE_KINDS: tuple[tuple[str, str, str], ...] = (
    ("genome/genome.fa.gz", "fasta+bgzip", "reference genome, soft-masked; chr1..chrN and a _random contig"),
    ("genome/genome.fa.gz.fai", "fai", "samtools faidx index"),
    ("genome/genome.fa.gz.gzi", "gzi", "BGZF block index"),
    ("annotation/genes.gtf.gz", "gtf+bgzip", "GENCODE-style annotation (1-based, CDS without stop codon)"),
    ("alignments/*.maf.gz", "maf+gzip", "human-referenced multiple alignment, one file per chromosome"),
    ("species/tree.nh", "newick", "species tree, neutral substitutions per site"),
    ("species/species.txt", "text", "species names, reference first"),
    ("tasks/rbp/eclip/*.narrowPeak.gz", "narrowPeak+gzip", "eCLIP IDR peaks of one RBP (ENCODE layout)"),
    ("tasks/rbp/eclip_experiments.tsv", "tsv", "eCLIP experiments: RBP, cell line, file"),
    ("tasks/rbp/rbns_5mer_enrichment.tsv", "tsv", "RBNS R value per 5-mer (rows) and RBP (columns)"),
    ("tasks/rbp/rbns_enriched_5mers.tsv", "tsv", "enriched RBNS 5-mers per RBP (z >= 3)"),
    (
        "tasks/variants/clinvar.vcf.gz",
        "vcf+bgzip",
        "ClinVar-style VCF (CLNSIG, CLNREVSTAT), NCBI contig names",
    ),
    ("tasks/variants/gnomad.vcf.gz", "vcf+bgzip", "gnomAD-style sites VCF (AC, AN, AF)"),
    ("tasks/variants/eqtl_catalogue_susie.tsv.gz", "tsv+gzip", "eQTL Catalogue SuSiE credible sets"),
    ("tasks/variants/cadd_training/*.vcf.gz", "vcf+bgzip", "CADD training SNVs (REF = genome base)"),
    ("tasks/variants/cadd_scores.tsv.gz", "tsv+bgzip", "CADD-style per-position scores, 3 alleles per base"),
    ("*.tbi", "tbi", "tabix index"),
    ("tasks/conservation/phylop.wig.gz", "wiggle+gzip", "PhyloP-style conservation (fixedStep, 1-based)"),
    ("tasks/mpra/griesemer_oligo_info.tsv", "tsv", "Griesemer-style MPRA oligos (RNA orientation sequences)"),
    ("tasks/mpra/griesemer_*_log2fc.tsv", "tsv", "Griesemer-style ref/alt log2 fold change in one cell line"),
    ("tasks/mpra/siegel_3utr_oligos.tsv", "tsv", "Siegel-style 3'UTR oligo stability and steady state"),
    (
        "tasks/half_life/agarwal_half_life.tsv",
        "tsv",
        "Agarwal-style half-life (PC1 of datasets) with 10 folds",
    ),
    ("truth/motif_instances.tsv", "tsv", "every planted motif instance (0-based), functional or neutral"),
    ("truth/rbps.tsv", "tsv", "planted RBPs, their 5-mers and stability effects"),
)


def _kind(relative: str) -> tuple[str, str]:
    for pattern, fmt, description in FILE_KINDS:
        if fnmatch.fnmatch(relative, pattern):
            return fmt, description
    return "unknown", ""


def write_manifest(world, stats: dict[str, object]) -> Path:
    from utr_assets.simulate.fileio import sha256

    out: Path = world.out
    files = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"):
        relative = path.relative_to(out).as_posix()
        fmt, description = _kind(relative)
        if fmt == "unknown":
            continue  # not ours (e.g. a stale file from another run)
        files.append(
            {
                "path": relative,
                "format": fmt,
                "bytes": path.stat().st_size,
                "sha256": sha256(path),
                "description": description,
            }
        )
    manifest = {
        "generator": "utr_assets.simulate",
        "format_version": 1,
        "seed": world.seed,
        "scale": world.scale.name,
        "reference_species": REFERENCE_SPECIES,
        "chromosomes": [c.name for c in world.primary],
        "contigs": {c.name: len(c.codes) for c in world.chromosomes},
        "species": world.walk.species,
        "files": files,
        "planted": {
            "rbps": {
                rbp: {"kmers": list(kmers), "stability_effect_log2": effect}
                for rbp, (kmers, effect) in RBPS.items()
            },
            "neutral_effect_fraction": NEUTRAL_EFFECT_FRACTION,
            "functional_clusters": {
                "probability": CLUSTER_PROBABILITY,
                "extra_copies": list(CLUSTER_EXTRA_COPIES),
                "spacer_nt": list(CLUSTER_SPACER),
                "flank_nt": FLANK_NT,
                "flank_motif_weight": FLANK_MOTIF_WEIGHT,
                "note": "functional instances grow homotypic clusters in a flank of their "
                "motif's composition; neutral ones stay isolated in background",
            },
            "rates": {
                "neutral_mean": 1.0,
                "functional_motif": FUNCTIONAL_RATE,
                "stop_codon": STOP_RATE,
                "polya_signal": POLYA_RATE,
                "cds_codon_positions_1_2": 0.15,
                "cds_codon_position_3": 0.7,
                "indel_events_per_site_per_unit": INDEL_RATE,
            },
            "polya_signal": POLYA_SIGNAL,
            "effects": {
                "mpra": "sum over RBP 5-mer matches of effect x cell-line factor U(0.3,1.7) + 1.5 (GC - 0.4) + N(0, 0.7) shared by ref/alt + N(0, 0.4)",
                "half_life": "sum of effects of functional instances (+ neutral at neutral_effect_fraction) "
                "- 0.3 log(3'UTR length) + N(0, 1.1 sd(signal)); PC1 over 8 noisy datasets",
                "clinvar": "pathogenic: 85% at functional motif sites; benign: weighted by rate^2 off functional sites",
                "gnomad": "common: weighted by rate^3 off functional sites; singletons uniform; rare by rate",
            },
            "counts": stats,
        },
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    return path
