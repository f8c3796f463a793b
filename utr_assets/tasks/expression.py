"""Tasks 3 and 4 (docs/protocol.md): MPRA activity (Griesemer 2021, Siegel 2022) and mRNA half-life
(Agarwal & Kelley 2022) as regression datasets with their CV groups. Their cross-validated evaluation is
`utr_assets.evaluation.expression`.

MPRA dataset columns: oligo_id, sequence (RNA orientation), group, cell_line, target, value, gene_id,
chrom, strand (the 3'UTR's genomic strand: a DNA-orientation model reads minus-strand oligos reverse-
complemented; None where unknown). `split` in results is "{cell_line}/{target}". CV groups:
- Griesemer ("gene"): oligos of one gene share a group, and groups of oligos overlapping in the genome
  merge (the study's seed_variants.ipynb: group by gene symbol, then merge overlapping oligos); without
  coordinates, oligos sharing a 30-mer merge. Ref and alt alleles of one oligo always share a group.
- Siegel ("chromosome"): leave-one-chromosome-out (the study's `group = chrom`). Oligos sharing a 30-mer
  (a wild type, its mutants and overlapping tiles of one 3'UTR) form one family; an oligo without a
  chromosome takes its family's, found from the table or by placing members exactly inside a 3'UTR
  sequence (the longest 3'UTR where several contain it, as the study). Families placed nowhere keep a
  `seq:` group; with `drop_unplaced` they are dropped, as the study kept only oligos inside a 3'UTR.
Half-life dataset: gene_id, utr_id, value, fold (the source's 10 folds; genes outside utr3_regions
are dropped).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

MPRA_DATASET_COLUMNS = [
    "oligo_id",
    "sequence",
    "group",
    "cell_line",
    "target",
    "value",
    "gene_id",
    "chrom",
    "strand",
]
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
        words = {seq} if len(seq) < k else {seq[j : j + k] for j in range(len(seq) - k + 1)}
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


def _place_in_utrs(
    sequences: Sequence[str], regions: pd.DataFrame, k: int = SEED_K
) -> list[tuple[str, str] | None]:
    """(chrom, strand) of the longest 3'UTR (ties: smallest utr_id) containing each sequence exactly, else None."""
    seeds: dict[str, list[int]] = {}
    utrs = regions.assign(_len=regions["sequence"].str.len()).sort_values(
        ["_len", "utr_id"], ascending=[False, True]
    )
    utr_seqs, utr_chroms, utr_strands = (
        utrs["sequence"].tolist(),
        utrs["chrom"].tolist(),
        utrs["strand"].tolist(),
    )
    wanted = {s[:k] for s in sequences if len(s) >= k}
    for u, seq in enumerate(utr_seqs):
        for j in range(len(seq) - k + 1):
            w = seq[j : j + k]
            if w in wanted:
                seeds.setdefault(w, []).append(u)
    out: list[tuple[str, str] | None] = []
    for s in sequences:
        hit = next((u for u in seeds.get(s[:k], []) if s in utr_seqs[u]), None)
        out.append(None if hit is None else (str(utr_chroms[hit]), str(utr_strands[hit])))
    return out


def _known(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and not pd.isna(value)


def _family_values(values: list[Any], family: np.ndarray) -> list[Any]:
    """Each unknown value replaced by the most common known value of its family (ties: smallest)."""
    best: dict[int, Any] = {}
    for fam in np.unique(family):
        known = [v for v, f in zip(values, family, strict=True) if f == fam and _known(v)]
        if known:
            counts = pd.Series(known).value_counts()
            best[int(fam)] = sorted(counts.index[counts == counts.max()])[0]
    return [v if _known(v) else best.get(int(f)) for v, f in zip(values, family, strict=True)]


def _gene_overlap_groups(oligos: pd.DataFrame) -> list[str]:
    """Griesemer groups: same gene, then merged where oligos overlap (or share a 30-mer without coordinates)."""
    uf = _UnionFind(len(oligos))
    genes = oligos["gene_id"].tolist()
    first_of_gene: dict[str, int] = {}
    for i, gene in enumerate(genes):
        if _known(gene):
            uf.union(i, first_of_gene.setdefault(str(gene), i))
    have = oligos["chrom"].notna() & pd.to_numeric(oligos["start"], errors="coerce").notna()
    if have.all():
        links = interval_overlap_groups(
            oligos["chrom"].tolist(), oligos["start"].astype(int).tolist(), oligos["end"].astype(int).tolist()
        )
    else:
        links = sequence_overlap_groups(oligos["sequence"].tolist())
    first_of_link: dict[int, int] = {}
    for i, link in enumerate(links.tolist()):
        uf.union(i, first_of_link.setdefault(link, i))
    roots = [uf.find(i) for i in range(len(oligos))]
    names: dict[int, str] = {}
    for i, root in enumerate(roots):
        if _known(genes[i]):
            names[root] = min(names.get(root, str(genes[i])), str(genes[i]))
    number = np.unique(roots, return_inverse=True)[1]
    return [f"gene:{names[r]}" if r in names else f"locus{n}" for r, n in zip(roots, number, strict=True)]


def build_mpra_dataset(
    table: pd.DataFrame, grouping: str, regions: pd.DataFrame | None = None, drop_unplaced: bool = False
) -> pd.DataFrame:
    """The long table of `read_griesemer`/`read_siegel` with a CV `group` and a `strand` per oligo.

    grouping "gene" (Griesemer) or "chromosome" (Siegel); see the module docstring. `attrs` of the result:
    `dropped_unplaced`, the oligos dropped for want of a chromosome (with `drop_unplaced`).
    """
    if "strand" not in table.columns:
        table = table.assign(strand=None)
    oligos = table.drop_duplicates("oligo_id")[
        ["oligo_id", "sequence", "gene_id", "chrom", "start", "end", "strand"]
    ]
    oligos = oligos.reset_index(drop=True)
    dropped = 0
    if grouping == "gene":
        group = _gene_overlap_groups(oligos)
        strands = oligos["strand"].tolist()
    elif grouping == "chromosome":
        chroms, strands = oligos["chrom"].tolist(), oligos["strand"].tolist()
        if regions is not None and not all(
            _known(c) and _known(st) for c, st in zip(chroms, strands, strict=True)
        ):
            placed = _place_in_utrs(oligos["sequence"].tolist(), regions)
            chroms = [c if _known(c) else (p[0] if p else None) for c, p in zip(chroms, placed, strict=True)]
            strands = [
                st if _known(st) else (p[1] if p else None) for st, p in zip(strands, placed, strict=True)
            ]
        family = sequence_overlap_groups(oligos["sequence"].tolist())
        chroms, strands = _family_values(chroms, family), _family_values(strands, family)
        group = [str(c) if _known(c) else f"seq:{f}" for c, f in zip(chroms, family, strict=True)]
        if drop_unplaced:
            dropped = sum(not _known(c) for c in chroms)
    else:
        raise ValueError(f"grouping must be 'gene' or 'chromosome', got {grouping!r}")
    group_of = dict(zip(oligos["oligo_id"], group, strict=True))
    strand_of = dict(zip(oligos["oligo_id"], [st if _known(st) else None for st in strands], strict=True))
    out = table.assign(group=table["oligo_id"].map(group_of), strand=table["oligo_id"].map(strand_of))
    if grouping == "chromosome":
        out["chrom"] = out["oligo_id"].map(dict(zip(oligos["oligo_id"], chroms, strict=True)))
    for col in ("gene_id", "chrom"):
        if col not in out:
            out[col] = None
    if dropped:
        out = out[~out["group"].str.startswith("seq:")]
    out = out[MPRA_DATASET_COLUMNS].reset_index(drop=True)
    out.attrs["dropped_unplaced"] = int(dropped)
    return out


def build_half_life_dataset(half_life: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """(gene_id, utr_id, value, fold) for genes with a 3'UTR (gene ids compared without version)."""
    utrs = regions.assign(gene_key=regions["gene_id"].astype(str).str.replace(r"\.\d+$", "", regex=True))
    utrs = utrs.sort_values("utr_id").drop_duplicates("gene_key")
    out = half_life.merge(utrs[["gene_key", "utr_id"]], left_on="gene_id", right_on="gene_key", how="inner")
    out.attrs["dropped_without_utr"] = int(len(half_life) - len(out))
    return out[["gene_id", "utr_id", "value", "fold"]].sort_values("gene_id").reset_index(drop=True)
