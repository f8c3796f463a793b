"""Task datasets from the configured sources: the glue between readers and task builders.

What belongs here: one function per task dataset taking the `TaskSettings`-like paths and the
`utr3_regions` table and returning plain tables (plus a summary for metadata). A source that is not
configured skips its split (reported), never silently empties the task.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from utr_assets.tasks.expression import build_half_life_dataset, build_mpra_dataset
from utr_assets.tasks.rbp import build_motif_instances
from utr_assets.tasks.readers.expression import read_griesemer, read_half_life, read_siegel
from utr_assets.tasks.readers.rbp import read_eclip_peaks, read_rbns_enriched
from utr_assets.tasks.readers.tracks import read_wiggle
from utr_assets.tasks.readers.variants import read_cadd_training, read_clinvar, read_eqtl_susie, read_gnomad
from utr_assets.tasks.utr_coords import UtrIndex
from utr_assets.tasks.variants import build_variant_splits, split_overlap


def utr_conservation(phylop: str | None, regions: pd.DataFrame) -> dict[str, np.ndarray]:
    """utr_id -> per-base PhyloP in RNA orientation (empty when no track is configured)."""
    if not phylop:
        return {}
    track = read_wiggle(phylop, zip(regions["chrom"], regions["start"], regions["end"], strict=True))
    index = UtrIndex(regions)
    return {utr_id: track.utr_values(index, utr_id) for utr_id in regions["utr_id"]}


def rbp_motif_dataset(tasks: Any, regions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    if not (tasks.eclip_experiments and tasks.rbns_enriched):
        raise ValueError("the RBP task needs tasks.eclip_experiments and tasks.rbns_enriched")
    peaks = read_eclip_peaks(tasks.eclip_experiments)
    if len(peaks) and not peaks["idr"].any():
        raise ValueError(
            f"{tasks.eclip_experiments}: none of {len(peaks)} eCLIP peaks is IDR-reproducible, and "
            "positives come from IDR peaks only: give the output type (column output_type, or ENCODE's "
            "'Output type') or name the IDR files *IDR*"
        )
    motifs = read_rbns_enriched(tasks.rbns_enriched)
    instances, summary = build_motif_instances(
        regions, peaks, motifs, seed=tasks.seed, conservation=utr_conservation(tasks.phylop, regions) or None
    )
    return instances, {
        "rbps": int(motifs.rbp.nunique()),
        "motifs": int(len(motifs)),
        "peaks": int(len(peaks)),
        "positives": int(instances.label.sum()),
        "negatives": int((instances.label == 0).sum()),
        "negative_shortfall": int(summary["neg_shortfall"].sum()) if "neg_shortfall" in summary else 0,
    }


def variant_dataset(tasks: Any, regions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    cadd = (
        read_cadd_training(tasks.cadd_simulated, tasks.cadd_human_derived)
        if tasks.cadd_simulated and tasks.cadd_human_derived
        else None
    )
    variants, overlap, report = build_variant_splits(
        regions,
        clinvar=read_clinvar(tasks.clinvar) if tasks.clinvar else None,
        gnomad=read_gnomad(tasks.gnomad) if tasks.gnomad else None,
        eqtl=read_eqtl_susie(tasks.eqtl_susie) if tasks.eqtl_susie else None,
        cadd_training=cadd,
        n_max=tasks.n_variants_max,
        seed=tasks.seed,
    )
    summary = {"variants": int(len(variants)), "splits": sorted(variants["split"].unique().tolist())}
    summary |= {
        f"{split}_{'pos' if label else 'neg'}": int(n)
        for (split, label), n in variants.groupby(["split", "label"]).size().items()
    }
    return variants, overlap if overlap is not None else split_overlap(variants), summary | {"report": report}


def mpra_dataset(tasks: Any, regions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    frames, dropped = [], 0
    if tasks.griesemer_oligo_info and tasks.griesemer_values:
        griesemer = build_mpra_dataset(
            read_griesemer(tasks.griesemer_oligo_info, tasks.griesemer_values), "gene"
        )
        frames.append(griesemer.assign(study="griesemer2021"))
    if tasks.siegel:
        siegel_table = read_siegel(tasks.siegel)
        siegel = build_mpra_dataset(siegel_table, "chromosome", regions, drop_unplaced=True)
        total, dropped = siegel_table["oligo_id"].nunique(), siegel.attrs["dropped_unplaced"]
        if dropped * 2 > total:
            raise ValueError(
                f"{tasks.siegel}: {dropped} of {total} Siegel oligos lie in no 3'UTR of utr3_regions "
                "(exact match, wild type or a mutant sharing a 30-mer with it): wrong assembly or "
                "annotation? The study kept oligos inside a 3'UTR only."
            )
        frames.append(siegel.assign(study="siegel2022"))
    if not frames:
        raise ValueError("the MPRA task needs tasks.griesemer_oligo_info + griesemer_values or tasks.siegel")
    table = pd.concat(frames, ignore_index=True)
    return table, {
        "oligos": int(table.oligo_id.nunique()),
        "samples": int(len(table)),
        "studies": sorted(table.study.unique().tolist()),
        "groups": int(table.group.nunique()),
        "siegel_dropped_outside_utrs": int(dropped),
    }


def half_life_dataset(tasks: Any, regions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    if not tasks.half_life:
        raise ValueError("the half-life task needs tasks.half_life")
    table = build_half_life_dataset(read_half_life(tasks.half_life, tasks.half_life_folds), regions)
    return table, {
        "genes": int(len(table)),
        "folds": int(table.fold.nunique()),
        "dropped_without_utr": int(table.attrs.get("dropped_without_utr", 0)),
    }
