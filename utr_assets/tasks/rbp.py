"""Task 1 (docs/protocol.md §5): RBP binding-motif instances in 3'UTRs and their labels.

- Instance: an occurrence (overlapping ones included) of one of RBP X's RBNS 5-mers in a 3'UTR
  sequence (RNA orientation); `offset` is its first base, 0-based in RNA orientation. One instance per
  (UTR, offset, k-mer), as the study: `rbp` lists (comma-joined) every RBP it is a positive for, or
  whose motif a negative is.
- Peaks are extended `extend_5p` bp at their 5' end (start on +, end on -; `.` peaks: both sides).
- Positive for X: all 5 bases inside X's IDR-reproducible eCLIP peaks (`idr` True; union of X's
  peaks) on the gene's strand (the study's `bedtools intersect -s` of the `_IDR` peaks).
- Negative candidate: no base inside any peak of any RBP, IDR or replicate, on either strand (the
  study's `bedtools subtract` without `-s` of every peak). Instances touching a peak otherwise are
  neither. Negatives are subsampled per k-mer to the positives' count, seeded; a shortfall is
  reported in the summary, never filled from other k-mers.
- Conservation subsets: the instance's maximum PhyloP over its 5 bases (the study's PhyloP motif
  score); positives at or above the 90th percentile (`top_conserved`) / at or below the 10th
  (`bottom_conserved`) within their RBP_motif group (the study's AUC notebook).
Scoring the instances and their AUCs: `utr_assets.evaluation.rbp_motifs`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from utr_assets.common.sequences import base_codes
from utr_assets.tasks.utr_coords import UtrIndex

K = 5
INSTANCE_COLUMNS = [
    "instance_id",
    "rbp",
    "kmer",
    "rbp_motif",
    "utr_id",
    "gene_id",
    "offset",
    "chrom",
    "strand",
    "label",
    "phylop_max",
    "top_conserved",
    "bottom_conserved",
]


def kmer_codes(sequence: str, k: int = K) -> np.ndarray:
    """Integer code (base-4, first base most significant) of every k-mer window; -1 where N."""
    codes = base_codes(sequence)
    if codes.size < k:
        return np.zeros(0, dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(codes, k)
    out = windows @ (4 ** np.arange(k - 1, -1, -1))
    out[(windows < 0).any(axis=1)] = -1
    return out


def _code_of(kmer: str) -> int:
    return int(kmer_codes(kmer)[0])


def _peak_masks(
    index: UtrIndex, utr_id: str, peaks_by_key: dict[tuple[str, str], pd.DataFrame], extend_5p: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    row = index.regions.loc[utr_id]
    g = index.genome_positions(utr_id)
    masks: dict[str, np.ndarray] = {}
    any_mask = np.zeros(g.size, dtype=bool)
    for strand in ("+", "-", "."):
        table = peaks_by_key.get((row["chrom"], strand))
        if table is None:
            continue
        starts = table["start"].to_numpy()
        longest = int(table.attrs["longest"]) + extend_5p
        lo = np.searchsorted(starts, int(row["start"]) - longest, side="left")
        hi = np.searchsorted(starts, int(row["end"]) + extend_5p, side="left")
        hits = table.iloc[lo:hi]
        for peak in hits.itertuples(index=False):
            s, e = int(peak.start), int(peak.end)
            if strand in ("+", "."):
                s -= extend_5p
            if strand in ("-", "."):
                e += extend_5p
            inside = (g >= s) & (g < e)
            if inside.any():
                any_mask |= inside  # negatives avoid every peak: any RBP, IDR or replicate, either strand
                if peak.idr and strand in (row["strand"], "."):
                    masks.setdefault(peak.rbp, np.zeros(g.size, dtype=bool))
                    masks[peak.rbp] |= inside
    return masks, any_mask


def _window_all(mask: np.ndarray, k: int = K) -> np.ndarray:
    c = np.concatenate(([0], np.cumsum(mask)))
    return (c[k:] - c[:-k]) == k


def _window_any(mask: np.ndarray, k: int = K) -> np.ndarray:
    c = np.concatenate(([0], np.cumsum(mask)))
    return (c[k:] - c[:-k]) > 0


def _one_per_site(cand: pd.DataFrame) -> pd.DataFrame:
    """One candidate per (UTR, offset, k-mer), its RBPs comma-joined (sorted): the RBPs whose IDR peaks hold
    a positive, or whose motif a negative is. As the study (rbp_motifs/dataprep/combine_eclip_RBNS.ipynb:
    positives grouped by seq_name, motif_start, motif with their RBPs joined; negatives have no RBP). The
    label is the same for every RBP of a site: a positive lies in a peak, and a negative touches none."""
    key = ["utr_id", "offset", "kmer"]
    cand = cand.sort_values([*key, "rbp"], kind="stable")
    shared = cand.duplicated(key, keep=False).to_numpy()
    if not shared.any():
        return cand.reset_index(drop=True)
    joined = cand[shared].groupby(key, sort=False)["rbp"].agg(",".join)
    first = cand.drop_duplicates(key).set_index(key)
    first.loc[joined.index, "rbp"] = joined
    return first.reset_index()[cand.columns]


def build_motif_instances(
    regions: pd.DataFrame,
    peaks: pd.DataFrame,
    motifs: pd.DataFrame,
    *,
    extend_5p: int = 50,
    seed: int = 0,
    conservation: Mapping[str, np.ndarray] | None = None,
    top_fraction: float = 0.1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(instances with INSTANCE_COLUMNS, summary per kmer (rbp: its RBPs): n_pos, n_neg_candidates, n_pos_kept,
    n_neg).

    Each k-mer keeps as many positives as negatives (docs/protocol.md §5: negatives matched to the positives'
    k-mer counts): a score that depends on the k-mer alone has AUC 0.5 on the result.

    `regions`: utr3_regions; `peaks`: `sources_rbp.read_eclip_peaks` (0-based half-open, `idr` flag);
    `motifs`: (rbp, kmer); `conservation`: utr_id -> per-base PhyloP in RNA orientation.
    """
    if "idr" not in peaks.columns:
        raise ValueError(
            "peaks need an `idr` column (True for IDR-reproducible peaks, False for replicate peaks): "
            "positives come from IDR peaks only, every peak excludes negatives"
        )
    index = UtrIndex(regions)
    peaks = peaks.assign(chrom=[index.chrom(c) for c in peaks["chrom"]])
    peaks_by_key = {}
    for key, table in peaks.groupby(["chrom", "strand"], sort=True):
        table = table.sort_values("start").reset_index(drop=True)
        table.attrs["longest"] = int((table["end"] - table["start"]).max())
        peaks_by_key[key] = table
    peak_rbps = set(peaks["rbp"])
    motif_rbps: dict[int, list[tuple[str, str]]] = {}
    for rbp, kmer in motifs[["rbp", "kmer"]].drop_duplicates().itertuples(index=False):
        if len(kmer) != K:
            raise ValueError(f"motif {rbp}:{kmer} is not a {K}-mer")
        if rbp in peak_rbps:
            motif_rbps.setdefault(_code_of(kmer), []).append((rbp, kmer))
    wanted = np.array(sorted(motif_rbps), dtype=np.int64)
    rows: list[tuple] = []
    for utr in regions.sort_values("utr_id").itertuples(index=False):
        codes = kmer_codes(utr.sequence)
        where = np.flatnonzero(np.isin(codes, wanted))
        if where.size == 0:
            continue
        masks, any_mask = _peak_masks(index, utr.utr_id, peaks_by_key, extend_5p)
        touched = _window_any(any_mask)
        inside = {rbp: _window_all(m) for rbp, m in masks.items()}
        cons = None if conservation is None else conservation.get(utr.utr_id)
        for off in where.tolist():
            phylop = (
                float(np.nanmax(cons[off : off + K]))
                if cons is not None and np.isfinite(cons[off : off + K]).any()
                else np.nan
            )
            for rbp, kmer in motif_rbps[int(codes[off])]:
                if rbp in inside and inside[rbp][off]:
                    label = 1
                elif not touched[off]:
                    label = 0
                else:
                    continue
                rows.append((rbp, kmer, utr.utr_id, utr.gene_id, off, utr.chrom, utr.strand, label, phylop))
    cand = pd.DataFrame(
        rows, columns=["rbp", "kmer", "utr_id", "gene_id", "offset", "chrom", "strand", "label", "phylop_max"]
    )
    cand = _one_per_site(cand)
    rng = np.random.default_rng(seed)
    keep, summary = [], []
    for kmer, group in cand.groupby("kmer", sort=True):
        pos = group[group["label"] == 1]
        neg = group[group["label"] == 0]
        # equal counts per k-mer, so that the k-mer itself carries no label information: negatives are
        # subsampled to the positives, and where negatives fall short, positives to the negatives
        n = min(len(pos), len(neg))
        kept_pos = pos if n == len(pos) else pos.iloc[np.sort(rng.choice(len(pos), size=n, replace=False))]
        chosen = neg.iloc[np.sort(rng.choice(len(neg), size=n, replace=False))] if n else neg.iloc[:0]
        keep += [kept_pos, chosen]
        rbps = ",".join(sorted(r for r, _ in motif_rbps[_code_of(kmer)]))
        summary.append((rbps, kmer, len(pos), len(neg), n, n))
    out = pd.concat(keep, ignore_index=True) if keep else cand.iloc[:0].copy()
    out["rbp_motif"] = [
        ",".join(f"{r}_{k}" for r in rbps.split(",")) for rbps, k in zip(out["rbp"], out["kmer"], strict=True)
    ]
    out["top_conserved"], out["bottom_conserved"] = False, False
    # per RBP_motif group, an instance of several RBPs in each of its groups (the study explodes its RBP list)
    pos = out[(out["label"] == 1) & out["phylop_max"].notna()]
    for _, group in (
        pos.assign(rbp_motif=pos["rbp_motif"].str.split(",")).explode("rbp_motif").groupby("rbp_motif")
    ):
        hi, lo = np.quantile(group["phylop_max"], [1 - top_fraction, top_fraction])
        out.loc[group.index[group["phylop_max"] >= hi], "top_conserved"] = True
        out.loc[group.index[group["phylop_max"] <= lo], "bottom_conserved"] = True
    out = out.sort_values(["kmer", "label", "utr_id", "offset"], ascending=[True, False, True, True])
    out["instance_id"] = [
        f"{u}:{o}:{k}" for k, u, o in zip(out["kmer"], out["utr_id"], out["offset"], strict=True)
    ]
    summary_df = pd.DataFrame(
        summary, columns=["rbp", "kmer", "n_pos", "n_neg_candidates", "n_pos_kept", "n_neg"]
    )
    summary_df["neg_shortfall"] = (
        summary_df["n_pos"] - summary_df["n_neg"]
    )  # positives left out for want of negatives
    return out[INSTANCE_COLUMNS].reset_index(drop=True), summary_df
