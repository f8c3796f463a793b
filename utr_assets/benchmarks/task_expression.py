"""Tasks 3 and 4 (SPEC §5): MPRA activity (Griesemer 2021, Siegel 2022) and mRNA half-life
(Agarwal & Kelley 2022) as regression datasets, and their cross-validated evaluation.

MPRA dataset columns: oligo_id, sequence, group, cell_line, target, value (+ gene_id, chrom).
`split` in results is "{cell_line}/{target}". CV groups:
- Griesemer: leave-one-gene-group-out, oligos overlapping in the genome share a group (ref and alt
  alleles of one oligo always do); without coordinates, oligos sharing a 30-mer share a group.
- Siegel: leave-one-chromosome-out; when the table has no chromosome (the Saluki export), the oligo
  is placed by exact match inside a 3'UTR sequence, else grouped by shared 30-mers (`seq:` groups).
Half-life dataset: gene_id, utr_id, value, fold (the source's 10 folds; genes outside utr3_regions
are dropped). Probes: `probes.cv_regression_predictions`; metric: Pearson r with Fisher CI.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.benchmarks.metrics import pearson_rows
from utr_assets.benchmarks.probes import RIDGE_ALPHAS, cv_regression_predictions, group_folds

MPRA_DATASET_COLUMNS = ["oligo_id", "sequence", "group", "cell_line", "target", "value", "gene_id", "chrom"]
SEED_K = 30


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def sequence_overlap_groups(sequences: Sequence[str], k: int = SEED_K) -> np.ndarray:
    """Group index per sequence: sequences sharing any exact k-mer (or identical) are grouped."""
    uf = _UnionFind(len(sequences))
    first: dict[str, int] = {}
    for i, seq in enumerate(sequences):
        words = {seq} if len(seq) < k else {seq[j:j + k] for j in range(len(seq) - k + 1)}
        for w in words:
            j = first.setdefault(w, i)
            if j != i:
                uf.union(i, j)
    roots = [uf.find(i) for i in range(len(sequences))]
    return np.unique(roots, return_inverse=True)[1]


def interval_overlap_groups(chroms: Sequence[str], starts: Sequence[int], ends: Sequence[int]) -> np.ndarray:
    """Group index per interval (1-based inclusive or 0-based half-open alike): overlapping ones merge."""
    order = sorted(range(len(chroms)), key=lambda i: (str(chroms[i]), int(starts[i]), int(ends[i])))
    groups = np.empty(len(chroms), dtype=np.int64)
    g, chrom, reach = -1, None, -1
    for i in order:
        if chroms[i] != chrom or int(starts[i]) > reach:
            g, chrom, reach = g + 1, chroms[i], int(ends[i])
        reach = max(reach, int(ends[i]))
        groups[i] = g
    return groups


def _place_in_utrs(sequences: Sequence[str], regions: pd.DataFrame, k: int = SEED_K) -> list[str | None]:
    """Chromosome of the first 3'UTR (by utr_id) containing each sequence exactly, else None."""
    seeds: dict[str, list[int]] = {}
    utrs = regions.sort_values("utr_id")
    utr_seqs, utr_chroms = utrs["sequence"].tolist(), utrs["chrom"].tolist()
    wanted = {s[:k] for s in sequences if len(s) >= k}
    for u, seq in enumerate(utr_seqs):
        for j in range(len(seq) - k + 1):
            w = seq[j:j + k]
            if w in wanted:
                seeds.setdefault(w, []).append(u)
    out: list[str | None] = []
    for s in sequences:
        hit = next((utr_chroms[u] for u in seeds.get(s[:k], []) if s in utr_seqs[u]), None)
        out.append(hit)
    return out


def build_mpra_dataset(table: pd.DataFrame, grouping: str, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The long table of `read_griesemer`/`read_siegel` with a CV `group` per oligo.

    grouping "overlap" (Griesemer) or "chromosome" (Siegel).
    """
    oligos = table.drop_duplicates("oligo_id")[["oligo_id", "sequence", "chrom", "start", "end"]]
    oligos = oligos.reset_index(drop=True)
    if grouping == "overlap":
        have = oligos["chrom"].notna() & pd.to_numeric(oligos["start"], errors="coerce").notna()
        if have.all():
            g = interval_overlap_groups(oligos["chrom"].tolist(), oligos["start"].astype(int).tolist(),
                                        oligos["end"].astype(int).tolist())
            group = [f"locus{x}" for x in g]
        else:
            group = [f"seq{x}" for x in sequence_overlap_groups(oligos["sequence"].tolist())]
    elif grouping == "chromosome":
        chroms = oligos["chrom"].tolist()
        if regions is not None and any(c is None or pd.isna(c) for c in chroms):
            placed = _place_in_utrs(oligos["sequence"].tolist(), regions)
            chroms = [c if c is not None and not pd.isna(c) else p for c, p in zip(chroms, placed, strict=True)]
        fallback = sequence_overlap_groups(oligos["sequence"].tolist())
        group = [str(c) if c is not None and not pd.isna(c) else f"seq:{f}"
                 for c, f in zip(chroms, fallback, strict=True)]
    else:
        raise ValueError(f"grouping must be 'overlap' or 'chromosome', got {grouping!r}")
    group_of = dict(zip(oligos["oligo_id"], group, strict=True))
    out = table.assign(group=table["oligo_id"].map(group_of))
    for col in ("gene_id", "chrom"):
        if col not in out:
            out[col] = None
    return out[MPRA_DATASET_COLUMNS].reset_index(drop=True)


def build_half_life_dataset(half_life: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """(gene_id, utr_id, value, fold) for genes with a 3'UTR (gene ids compared without version)."""
    utrs = regions.assign(gene_key=regions["gene_id"].astype(str).str.replace(r"\.\d+$", "", regex=True))
    utrs = utrs.sort_values("utr_id").drop_duplicates("gene_key")
    out = half_life.merge(utrs[["gene_key", "utr_id"]], left_on="gene_id", right_on="gene_key", how="inner")
    out.attrs["dropped_without_utr"] = int(len(half_life) - len(out))
    return out[["gene_id", "utr_id", "value", "fold"]].sort_values("gene_id").reset_index(drop=True)


def evaluate_regression(samples: pd.DataFrame, ids: Sequence[str], features: np.ndarray, *, model: str, task: str,
                        id_column: str, probes: Sequence[str] = ("ridge", "svr"),
                        alphas: Sequence[float] | None = None, n_outer: int | None = None,
                        svr_grid: dict[str, list[Any]] | None = None, seed: int = 0
                        ) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Pearson r rows per split and probe, and out-of-fold predictions.

    `samples`: an MPRA dataset (split per cell_line/target, folds from `group`: leave-one-group-out,
    or `n_outer` grouped folds) or a half-life dataset (one split "all", the given `fold`s).
    `features[i]` belongs to `ids[i]`; rows of `samples` are matched on `id_column`.
    """
    row_of = {v: i for i, v in enumerate(ids)}
    if "fold" in samples.columns:
        splits = [("all", samples)]
        alphas = alphas if alphas is not None else RIDGE_ALPHAS["half_life"]
    else:
        splits = [(f"{c}/{t}", tab) for (c, t), tab in samples.groupby(["cell_line", "target"], sort=True)]
    rows: list[dict[str, Any]] = []
    preds = []
    for split, table in splits:
        table = table[table[id_column].isin(row_of)]
        X = features[[row_of[v] for v in table[id_column]]]
        y = table["value"].to_numpy(dtype=float)
        if "fold" in table.columns:
            folds, groups = table["fold"].to_numpy(), table["fold"].to_numpy()
        else:
            groups = table["group"].to_numpy()
            folds = group_folds(groups, n_outer, seed)
        for probe in probes:
            pred = cv_regression_predictions(X, y, folds=folds, groups=groups, model=probe, alphas=alphas,
                                             svr_grid=svr_grid, seed=seed)
            rows += pearson_rows(model, task, split, probe, y, pred)
            preds.append(pd.DataFrame({"split": split, id_column: table[id_column].to_numpy(), "probe": probe,
                                       "value": y, "prediction": pred}))
    return rows, (pd.concat(preds, ignore_index=True) if preds else pd.DataFrame())
