"""Task 2 (docs/protocol.md §5): functional-variant splits of 3'UTR SNVs (their evaluation:
`utr_assets.evaluation.variant_effects`).

Splits (positives vs negatives), each with up to `n_max` of each, drawn by its OWN seeded sample
(the study reused one negative sample across three splits; the overlap is reported here):
  clinvar            ClinVar pathogenic/likely pathogenic      vs gnomAD common (AF > common_af)
  gnomad_singletons  gnomAD singletons (AC = 1)                vs gnomAD common
  eqtl               eQTL Catalogue SuSiE, pvalue <= max_p      vs gnomAD common
  cadd               CADD simulated (proxy-deleterious)        vs CADD human-derived
A variant that is a positive of a split is removed from that split's negatives.
Every variant is annotated with its 3'UTR: `utr_offset` 0-based in RNA orientation, `ref_rna` and
`alt_rna` complemented on minus-strand genes; `pos` stays 1-based (VCF). Variants whose REF disagrees
with the UTR sequence are dropped and counted; if that is more than 5% the input is refused as not
hg38 (no liftover here). A variant inside several UTRs belongs to the longest (ties: first by utr_id).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.common.sequences import complement
from utr_assets.tasks.utr_coords import UtrIndex

VARIANT_COLUMNS = [
    "split",
    "label",
    "variant_id",
    "chrom",
    "pos",
    "ref",
    "alt",
    "utr_id",
    "gene_id",
    "utr_offset",
    "ref_rna",
    "alt_rna",
    "source",
]
SPLITS = ("clinvar", "gnomad_singletons", "eqtl", "cadd")
MAX_REF_MISMATCH = 0.05


class AssemblyMismatchError(ValueError):
    """Too many REF alleles disagree with the 3'UTR sequence: the source is probably not hg38."""


def annotate_utr(
    variants: pd.DataFrame, index: UtrIndex, source: str = ""
) -> tuple[pd.DataFrame, dict[str, int]]:
    """SNVs (chrom, pos 1-based, ref, alt, ...) inside 3'UTRs, with UTR annotation and variant_id."""
    rows = []
    outside = mismatch = 0
    for rec in variants.itertuples(index=False):
        chrom = index.chrom(str(rec.chrom))
        hits = index.locate(chrom, int(rec.pos) - 1)
        if not hits:
            outside += 1
            continue
        # the longest UTR, as the study (variant_effect/dataprep/combine_sources.ipynb: sort_values('seq_len',
        # ascending=False).drop_duplicates(keep='first'); its UTRs are single-exon, so span = length)
        hit = max(hits, key=lambda h: int(index.regions.at[h.utr_id, "length"]))  # hits are sorted by utr_id
        region = index.regions.loc[hit.utr_id]
        minus = region["strand"] == "-"
        ref_rna = complement(rec.ref) if minus else rec.ref
        if region["sequence"][hit.offset].upper() != ref_rna:
            mismatch += 1
            continue
        rows.append(
            (
                f"{chrom}:{int(rec.pos)}:{rec.ref}:{rec.alt}",
                chrom,
                int(rec.pos),
                rec.ref,
                rec.alt,
                hit.utr_id,
                region["gene_id"],
                hit.offset,
                ref_rna,
                complement(rec.alt) if minus else rec.alt,
            )
        )
    inside = len(rows) + mismatch
    if inside >= 20 and mismatch > MAX_REF_MISMATCH * inside:
        raise AssemblyMismatchError(
            f"{source or 'variants'}: {mismatch} of {inside} REF alleles inside 3'UTRs "
            "disagree with the reference; inputs must be hg38 (no liftover here)"
        )
    cols = [
        "variant_id",
        "chrom",
        "pos",
        "ref",
        "alt",
        "utr_id",
        "gene_id",
        "utr_offset",
        "ref_rna",
        "alt_rna",
    ]
    out = pd.DataFrame(rows, columns=cols).drop_duplicates("variant_id").sort_values("variant_id")
    return out.reset_index(drop=True), {
        "n_input": len(variants),
        "n_outside_utr": outside,
        "n_ref_mismatch": mismatch,
        "n_in_utr": len(out),
    }


def _sample(table: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(table) <= n:
        return table
    return table.iloc[np.sort(rng.choice(len(table), size=n, replace=False))]


def build_variant_splits(
    regions: pd.DataFrame,
    *,
    clinvar: pd.DataFrame | None = None,
    gnomad: pd.DataFrame | None = None,
    eqtl: pd.DataFrame | None = None,
    cadd_training: pd.DataFrame | None = None,
    n_max: int = 10_000,
    seed: int = 0,
    common_af: float = 0.05,
    eqtl_max_pvalue: float = 1e-25,
    eqtl_min_pip: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(variants with VARIANT_COLUMNS, negative/positive overlap between splits, per-source report).

    Sources are the `sources_variants` readers' tables; a split whose sources are None is skipped.
    """
    index = UtrIndex(regions)
    report: list[dict[str, Any]] = []

    def annotated(table: pd.DataFrame, source: str) -> pd.DataFrame:
        out, counts = annotate_utr(table, index, source)
        report.append({"source": source, **counts})
        return out

    common = singletons = None
    if gnomad is not None:
        common = annotated(gnomad[gnomad["af"] > common_af], "gnomad_common")
        singletons = annotated(gnomad[gnomad["ac"] == 1], "gnomad_singletons")
    sources: dict[str, tuple[pd.DataFrame | None, pd.DataFrame | None]] = {
        "clinvar": (annotated(clinvar, "clinvar") if clinvar is not None else None, common),
        "gnomad_singletons": (singletons, common),
        "eqtl": (None, common),
        "cadd": (None, None),
    }
    if eqtl is not None:
        keep = eqtl["pvalue"] <= eqtl_max_pvalue
        if eqtl_min_pip is not None:
            keep &= eqtl["pip"] >= eqtl_min_pip
        sources["eqtl"] = (annotated(eqtl[keep], "eqtl"), common)
    if cadd_training is not None:
        sources["cadd"] = (
            annotated(cadd_training[cadd_training["cadd_class"] == "simulated"], "cadd_simulated"),
            annotated(cadd_training[cadd_training["cadd_class"] == "human_derived"], "cadd_human_derived"),
        )
    frames = []
    for number, split in enumerate(SPLITS):
        pos, neg = sources[split]
        if pos is None or neg is None or pos.empty or neg.empty:
            continue
        rng = np.random.default_rng([seed, number])
        neg = neg[~neg["variant_id"].isin(set(pos["variant_id"]))]
        for label, table, source in (
            (1, _sample(pos, n_max, rng), split),
            (0, _sample(neg, n_max, rng), "cadd_human_derived" if split == "cadd" else "gnomad_common"),
        ):
            frames.append(table.assign(split=split, label=label, source=source))
    variants = (
        pd.concat(frames, ignore_index=True)[VARIANT_COLUMNS]
        if frames
        else pd.DataFrame(columns=VARIANT_COLUMNS)
    )
    return variants, split_overlap(variants), pd.DataFrame(report)


def split_overlap(variants: pd.DataFrame) -> pd.DataFrame:
    """Shared variants between every pair of splits, per label (the study's reuse, made visible)."""
    rows = []
    for label in (0, 1):
        sets = {s: set(t["variant_id"]) for s, t in variants[variants["label"] == label].groupby("split")}
        for a, b in combinations(sorted(sets), 2):
            shared = len(sets[a] & sets[b])
            union = len(sets[a] | sets[b])
            rows.append(
                {
                    "label": label,
                    "split_a": a,
                    "split_b": b,
                    "n_a": len(sets[a]),
                    "n_b": len(sets[b]),
                    "n_shared": shared,
                    "jaccard": shared / union if union else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=["label", "split_a", "split_b", "n_a", "n_b", "n_shared", "jaccard"])
