"""The body of ``utr-assets extract-utrs`` for people outside Dagster: MAF + utr3_regions -> files.

What belongs here: index reuse (beside the MAF, rebuilt when stale), the one extraction pass and the
output files, and the refusal of a result that is empty although the inputs are not (``check_overlap``).
Turning an annotation + genome into ``utr3_regions`` is the reference domain's job; the CLI
calls it and hands the table here. Outputs (written atomically): ``utr3_alignments.parquet``,
``utr3_orthologs.parquet``, ``species.parquet``, ``extraction_stats.json``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from utr_assets.alignments.engine import ExtractionStats
from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.extract import coverage_histogram, extract_utrs, species_table
from utr_assets.alignments.index import MafIndex, load_or_build_index
from utr_assets.alignments.mafio import detect_compression


def extract_utrs_to_dir(
    maf_path: str | Path,
    utr_regions: pd.DataFrame,
    out_dir: str | Path,
    reference_species: str,
    genomes: Mapping[str, str | Path] | None = None,
    use_index: bool = True,
    index_path: str | Path | None = None,
    workers: int = 1,
) -> dict[str, object]:
    """Run the extraction and write the four outputs; returns the stats written to the JSON file.

    ``genomes`` maps species to FASTA paths (pysam-indexable) for assembly-derived orthologs.
    ``use_index``: keep/reuse the index at ``index_path`` (default ``<maf>.utridx.npz``; plain and bgzip only,
    plain gzip is streamed). ``workers``: processes for the extraction by seeks (``extract_utrs``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = None
    rebuilt = False
    if use_index and detect_compression(maf_path) != "gzip":
        index, rebuilt = load_or_build_index(maf_path, reference_species, index_path)
    fastas = None
    if genomes:
        import pysam

        fastas = {species: pysam.FastaFile(str(path)) for species, path in genomes.items()}
    aln, orth, stats = extract_utrs(
        maf_path, utr_regions, reference_species, index=index, genomes=fastas, workers=workers
    )
    check_overlap(maf_path, utr_regions, stats, index, reference_species)
    species = species_table(aln, orth, index)
    for name, table in (("utr3_alignments", aln), ("utr3_orthologs", orth), ("species", species)):
        tmp = out / f".{name}.parquet.tmp{os.getpid()}"
        table.to_parquet(tmp, index=False)
        os.replace(tmp, out / f"{name}.parquet")
    summary: dict[str, object] = {
        **stats.as_metadata(),
        "index_rebuilt": rebuilt,
        "coverage_histogram": coverage_histogram(stats),
    }
    tmp = out / f".extraction_stats.json.tmp{os.getpid()}"
    tmp.write_text(json.dumps(summary, indent=2))
    os.replace(tmp, out / "extraction_stats.json")
    return summary


def _other_style(contig: str) -> str:
    return contig[3:] if contig.startswith("chr") else f"chr{contig}"


def check_overlap(
    maf_path: str | Path,
    utr_regions: pd.DataFrame,
    stats: ExtractionStats,
    index: MafIndex | None,
    reference_species: str,
) -> None:
    """An empty MAF, or one whose reference rows overlap none of the UTRs, is an error that says why (contig
    naming such as ``hg17.22`` against ``chr22``, or another reference species or assembly), not empty tables."""
    if stats.blocks_total == 0:
        raise MafFormatError(maf_path, "holds no alignment blocks ('a' lines): empty or truncated MAF")
    if len(utr_regions) == 0 or stats.blocks_read > 0:
        return
    ours = sorted(set(utr_regions.chrom))
    theirs = sorted(index.chroms) if index is not None else []
    hint = ""
    renamed = [c for c in ours if _other_style(c) in theirs]
    if renamed:
        hint = (
            f"; contig naming differs: the MAF names {renamed[0]!r} {_other_style(renamed[0])!r} "
            f"(rows '{reference_species}.{_other_style(renamed[0])}'): rename the contigs of one side"
        )
    elif theirs and not set(ours) & set(theirs):
        hint = "; no contig in common: check the reference species and the assembly of the MAF and the annotation"
    elif theirs:
        hint = "; the contigs match but no block overlaps a 3'UTR: the MAF and the annotation may be different assemblies"
    listed = ", ".join(theirs[:8]) + (", ..." if len(theirs) > 8 else "") if theirs else "(not indexed)"
    raise MafFormatError(
        maf_path,
        f"no alignment block overlaps any of the {len(utr_regions)} 3'UTRs: its "
        f"{reference_species!r} rows name contigs {listed}, the annotation "
        f"{', '.join(ours[:8])}{hint}",
    )
