"""Streaming generator of a large human-referenced MAF plus its utr3_regions table, for benchmarks.

Used by ``maf_extraction.py`` when the sample generator (``utr_assets.simulate``) offers no MAF writer.
One reference contig (``hg38.chr1``), ``n_species`` other species whose rows drift along their own
contigs (so fragments chain as in real multiz/Cactus output), substitutions, deletions (species gaps),
insertion columns (human gaps), absent species, coverage holes and soft-masked (lowercase) stretches.
Memory: the human sequence (a few Mbp) and one block at a time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from utr_assets.common.sequences import reverse_complement

ACGT = np.frombuffer(b"ACGT", np.uint8)
GAP = 45


def write_synthetic_maf(
    out_dir: Path,
    target_mb: float = 500,
    n_species: int = 60,
    seed: int = 0,
    utr_fraction: float = 0.02,
    mean_block: int = 300,
) -> tuple[Path, Path]:
    """Write ``synthetic.maf`` and ``utr3_regions.parquet`` into ``out_dir``; returns their paths."""
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    maf_path, regions_path = out_dir / "synthetic.maf", out_dir / "utr3_regions.parquet"
    species = [f"sp{i:02d}_{'x' * (i % 3)}mammal".replace("__", "_") for i in range(n_species)]
    presence = rng.uniform(0.35, 0.97, n_species)
    subst = rng.uniform(0.02, 0.3, n_species)
    name_w = max(len(s) for s in species) + 8
    # bytes per human base: rows present x (columns per human base + header per block)
    rows = 1 + presence.sum()
    per_base = rows * (1.06 + (name_w + 40) / mean_block)
    genome_len = int(target_mb * 1e6 / per_base)
    human = rng.choice(ACGT, genome_len)
    src_size = genome_len
    state = [
        [f"chr{rng.integers(1, 20)}", "+" if rng.random() < 0.5 else "-", int(rng.integers(0, 10**6))]
        for _ in species
    ]
    with open(maf_path, "w") as out:
        out.write("##maf version=1 scoring=synthetic\n# speed_benchmarks/maf_synth.py\n\n")
        pos = 0
        while pos < genome_len:
            pos += int(rng.integers(0, 40)) if rng.random() < 0.1 else 0  # coverage hole
            n = min(int(rng.integers(mean_block // 3, mean_block * 5 // 3)), genome_len - pos)
            if n <= 0:
                break
            h = human[pos : pos + n].copy()
            ins = rng.random(n) < 0.04  # an insertion column after these human bases
            ncol = n + int(ins.sum())
            hcols = np.arange(n) + np.concatenate([[0], np.cumsum(ins)[:-1]])
            present = np.flatnonzero(rng.random(n_species) < presence)
            mat = np.full((len(present), ncol), GAP, np.uint8)
            base = np.repeat(h[None, :], len(present), 0)
            mutate = rng.random(base.shape) < subst[present, None]
            base[mutate] = rng.choice(ACGT, int(mutate.sum()))
            base[rng.random(base.shape) < 0.05] = GAP
            mat[:, hcols] = base
            inscols = np.flatnonzero(np.isin(np.arange(ncol), hcols, invert=True))
            fill = rng.random((len(present), len(inscols))) < 0.5
            sub = mat[:, inscols]
            sub[fill] = rng.choice(ACGT, int(fill.sum()))
            mat[:, inscols] = sub
            hrow = np.full(ncol, GAP, np.uint8)
            hrow[hcols] = h
            if rng.random() < 0.2:  # soft-masked stretch
                a = int(rng.integers(0, ncol))
                hrow[a : a + 50] = np.where(hrow[a : a + 50] != GAP, hrow[a : a + 50] + 32, GAP)
            lines = [
                f"a score={rng.integers(-1000, 90000)}.0\n",
                f"s {'hg38.chr1':<{name_w}} {pos} {n} + {src_size} {hrow.tobytes().decode()}\n",
            ]
            for k, i in enumerate(present):
                st = state[i]
                size = int(np.count_nonzero(mat[k] != GAP))
                if size == 0:
                    continue
                if rng.random() < 0.003:  # jump to another contig
                    st[0], st[1], st[2] = f"chr{rng.integers(1, 20)}", "+" if rng.random() < 0.5 else "-", 0
                lines.append(
                    f"s {species[i] + '.' + st[0]:<{name_w}} {st[2]} {size} {st[1]} 300000000 "
                    f"{mat[k].tobytes().decode()}\n"
                )
                st[2] += size + (int(rng.integers(1, 30)) if rng.random() < 0.1 else 0)
            lines.append("\n")
            out.write("".join(lines))
            pos += n
    regions = _regions(rng, human, utr_fraction)
    regions.to_parquet(regions_path, index=False)
    return maf_path, regions_path


def _regions(rng: np.random.Generator, human: np.ndarray, fraction: float) -> pd.DataFrame:
    """Non-overlapping UTRs covering about ``fraction`` of the contig; 15% spliced into two exons."""
    g = len(human)
    n = max(1, int(g * fraction / 1500))
    starts = np.sort(rng.choice(np.arange(100, g - 6000, 6000), n, replace=False))
    seq = human.tobytes().decode()
    recs = []
    for k, s in enumerate(starts.tolist()):
        length = int(rng.integers(300, 2700))
        strand = "+" if rng.random() < 0.5 else "-"
        pieces = [(s, s + length)]
        if rng.random() < 0.15:
            cut = s + length // 2
            pieces = [(s, cut), (cut + int(rng.integers(200, 2000)), s + length + 2000)]
        dna = "".join(seq[a:b] for a, b in pieces)
        lo, hi = pieces[0][0], pieces[-1][1]
        recs.append(
            dict(
                utr_id=f"UTR{k:05d}",
                gene_id=f"G{k:05d}",
                gene_name=f"GENE{k}",
                transcript_id=f"T{k:05d}",
                chrom="chr1",
                start=lo,
                end=hi,
                strand=strand,
                blocks=",".join(f"{a}-{b}" for a, b in pieces),
                length=len(dna),
                stop_codon_start=lo - 3 if strand == "+" else hi,
                sequence=dna if strand == "+" else reverse_complement(dna),
            )
        )
    return pd.DataFrame(recs)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--mb", type=float, default=500)
    ap.add_argument("--species", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(write_synthetic_maf(args.out_dir, args.mb, args.species, args.seed))
