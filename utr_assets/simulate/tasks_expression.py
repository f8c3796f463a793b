"""Tasks 3 and 4 sources: Griesemer-style MPRA (oligo info + per-cell-line ref/alt log2 fold
changes), a Siegel-style sequence-level table (stability and steady state in Beas2B and Jurkat)
and an Agarwal-style half-life table (per-dataset half-lives, their first principal component,
10 gene folds).

Activities follow `biology.motif_score` (every 5-mer match of an RBP acts, weighted by its effect
and a per-cell-line factor) plus GC and noise; half-lives follow the planted functional instances
(neutral ones at a fraction) plus 3'UTR length and noise. Sequences are in RNA orientation;
genome coordinates in these tables are 1-based inclusive.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from utr_assets.common.sequences import reverse_complement_codes
from utr_assets.simulate.biology import NEUTRAL_EFFECT_FRACTION, RBPS, gc_fraction, motif_score
from utr_assets.simulate.fileio import decode, encode
from utr_assets.simulate.sites import other_base

GRIESEMER_CELLS = ("HEK293FT", "HEPG2", "HMEC", "K562", "GM12878", "SKNSH")
SIEGEL_CELLS = ("Beas2B", "Jurkat")
OLIGO = 100


def utr_rna(world, gene) -> tuple[np.ndarray, np.ndarray]:
    """3'UTR codes in RNA orientation and the genome position of each base."""
    codes = world.chrom(gene.chrom).codes
    pos = np.concatenate([np.arange(s, e) for s, e in gene.utr_blocks])
    seq = codes[pos]
    return (seq, pos) if gene.strand == "+" else (reverse_complement_codes(seq), pos[::-1])


def _activity(seqs: list[str], gcs: np.ndarray, factors: dict[str, float], rng, noise: float) -> np.ndarray:
    return (
        np.array([motif_score(s, factors) for s in seqs])
        + 1.5 * (gcs - 0.4)
        + rng.normal(0, noise, len(seqs))
    )


def write_griesemer(world, rng: np.random.Generator, folder: Path, n_variants: int) -> dict[str, float]:
    genes = [g for g in world.coding_genes() if g.utr_length >= OLIGO + 20]
    info = [
        "oligo_id\tvariant_id\tgene_id\tgene_name\tchrom\tstrand\toligo_start\toligo_end\tvar_pos\t"
        "ref_allele\talt_allele\tref_sequence\talt_sequence\n"
    ]
    refs, alts = [], []
    previous = None
    for number in range(n_variants):
        if previous is not None and rng.random() < 0.3:
            gene, at = (
                previous[0],
                int(np.clip(previous[1] + rng.integers(-30, 30), 0, previous[0].utr_length - 1)),
            )
        else:
            gene = genes[int(rng.integers(len(genes)))]
            if gene.instances and rng.random() < 0.5:
                at = gene.instances[int(rng.integers(len(gene.instances)))].utr_offset + 2
            else:
                at = int(rng.integers(gene.utr_length))
        previous = (gene, at)
        seq, pos = utr_rna(world, gene)
        start = int(np.clip(at - OLIGO // 2 + rng.integers(-10, 10), 0, len(seq) - OLIGO))
        ref = seq[start : start + OLIGO]
        alt = ref.copy()
        alt[at - start] = other_base(rng, ref[at - start : at - start + 1])[0]
        ref_s, alt_s = decode(ref), decode(alt)
        genome_ref, genome_alt = (
            (ref_s[at - start], alt_s[at - start])
            if gene.strand == "+"
            else (
                decode(reverse_complement_codes(encode(ref_s[at - start]))),
                decode(reverse_complement_codes(encode(alt_s[at - start]))),
            )
        )
        span = sorted((int(pos[start]), int(pos[start + OLIGO - 1])))
        vid = f"{gene.chrom}:{int(pos[at]) + 1}:{genome_ref}:{genome_alt}"
        info.append(
            f"oligo_{number:05d}\t{vid}\t{gene.gene_id}\t{gene.gene_name}\t{gene.chrom}\t{gene.strand}\t"
            f"{span[0] + 1}\t{span[1] + 1}\t{int(pos[at]) + 1}\t{genome_ref}\t{genome_alt}\t{ref_s}\t{alt_s}\n"
        )
        refs.append(ref_s)
        alts.append(alt_s)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "griesemer_oligo_info.tsv").write_text("".join(info))
    gc_ref = np.array([gc_fraction(encode(s)) for s in refs])
    gc_alt = np.array([gc_fraction(encode(s)) for s in alts])
    correlations = {}
    for cell in GRIESEMER_CELLS:
        factors = {rbp: float(rng.uniform(0.3, 1.7)) for rbp in RBPS}
        shared = rng.normal(0, 0.7, n_variants)
        act_ref = _activity(refs, gc_ref, factors, rng, 0.4) + shared
        act_alt = _activity(alts, gc_alt, factors, rng, 0.4) + shared
        lines = ["oligo_id\tlog2FoldChange_ref\tlfcSE_ref\tlog2FoldChange_alt\tlfcSE_alt\n"]
        lines += [
            f"oligo_{i:05d}\t{a:.5f}\t{rng.uniform(0.1, 0.4):.5f}\t{b:.5f}\t{rng.uniform(0.1, 0.4):.5f}\n"
            for i, (a, b) in enumerate(zip(act_ref, act_alt, strict=True))
        ]
        (folder / f"griesemer_{cell}_log2fc.tsv").write_text("".join(lines))
        correlations[cell] = float(np.corrcoef([motif_score(s) for s in refs], act_ref)[0, 1])
    return correlations


def write_siegel(world, rng: np.random.Generator, folder: Path, n_oligos: int) -> int:
    genes = [g for g in world.coding_genes() if g.utr_length >= OLIGO]
    cols = ["oligo_id\tgene_id\tgene_name\tchrom\tstart\tend\tstrand\tsequence"]
    cols += [f"{kind}_{cell}" for cell in SIEGEL_CELLS for kind in ("stability", "steady_state")]
    lines = ["\t".join(cols) + "\n"]
    count = 0
    for gene in genes:
        seq, pos = utr_rna(world, gene)
        for start in range(0, len(seq) - OLIGO + 1, 60):
            if count >= n_oligos or rng.random() > 0.6:
                continue
            text = decode(seq[start : start + OLIGO])
            lo, hi = sorted((int(pos[start]), int(pos[start + OLIGO - 1])))
            values = []
            for _ in SIEGEL_CELLS:
                stability = motif_score(text) * rng.uniform(0.7, 1.3) + rng.normal(0, 0.8)
                steady = (
                    0.6 * stability + 2 * (gc_fraction(seq[start : start + OLIGO]) - 0.4) + rng.normal(0, 0.3)
                )
                values += ["NA" if rng.random() < 0.04 else f"{stability:.5f}", f"{steady:.5f}"]
            lines.append(
                f"siegel_{count:05d}\t{gene.gene_id}\t{gene.gene_name}\t{gene.chrom}\t{lo + 1}\t{hi + 1}\t"
                f"{gene.strand}\t{text}\t" + "\t".join(values) + "\n"
            )
            count += 1
    (folder / "siegel_3utr_oligos.tsv").write_text("".join(lines))
    return count


def planted_stability(gene) -> float:
    """The noiseless half-life signal of a gene's planted instances (log2 units)."""
    return sum(RBPS[i.rbp][1] * (1.0 if i.functional else NEUTRAL_EFFECT_FRACTION) for i in gene.instances)


def write_half_life(world, rng: np.random.Generator, folder: Path) -> dict[str, float]:
    genes = [g for g in world.coding_genes() if rng.random() < 0.92]
    signal = np.array([planted_stability(g) for g in genes])
    length = np.log([g.utr_length for g in genes])
    truth = signal - 0.3 * (length - length.mean()) + rng.normal(0, 1.1 * signal.std(), len(genes))
    datasets = np.stack(
        [rng.uniform(0.6, 1.2) * truth + rng.normal(0, 0.5, len(genes)) for _ in range(8)], axis=1
    )
    missing = rng.random(datasets.shape) < 0.1
    filled = np.where(missing, np.nan, datasets)
    z = (datasets - datasets.mean(axis=0)) / datasets.std(axis=0)
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    pc1 = z @ vt[0]
    pc1 = pc1 if np.corrcoef(pc1, truth)[0, 1] > 0 else -pc1
    folds = rng.permutation(np.arange(len(genes)) % 10)
    header = "gene_id\tgene_name\tfold\thalf_life_pc1\t" + "\t".join(
        f"hl_dataset_{k + 1:02d}" for k in range(8)
    )
    lines = [header + "\n"]
    for i, gene in enumerate(genes):
        values = "\t".join("NA" if np.isnan(v) else f"{v:.4f}" for v in filled[i])
        lines.append(f"{gene.gene_id.split('.')[0]}\t{gene.gene_name}\t{folds[i]}\t{pc1[i]:.5f}\t{values}\n")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "agarwal_half_life.tsv").write_text("".join(lines))
    # rounded: the last digits of an SVD differ between BLAS kernels (CPU types), the manifest must not
    return {
        "genes": len(genes),
        "pearson_r_pc1_vs_planted_signal": round(float(np.corrcoef(pc1, signal)[0, 1]), 9),
    }
