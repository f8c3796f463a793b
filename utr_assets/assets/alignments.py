"""Dagster assets of the alignments group: `maf_index`, `utr3_alignments` + `utr3_orthologs`
(one MAF pass, one multi-asset) per chromosome, and the `species` table over all chromosomes."""

import time
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetOut, MetadataValue, Output, asset, multi_asset

from utr_assets.alignments import coverage_histogram, extract_utrs, load_or_build_index, species_table
from utr_assets.alignments.command import check_overlap
from utr_assets.assets.alignments_checks import (
    MAF_INDEX_CHECKS,
    ORTHOLOG_CHECKS,
    SPECIES_CHECKS,
    alignment_checks,
)
from utr_assets.common.progress import report_to
from utr_assets.platform.artifacts import ArtifactStoreResource
from utr_assets.platform.partitions import chromosome_partitions
from utr_assets.platform.quality import check_specs, run_quality_checks
from utr_assets.platform.resources import SettingsResource
from utr_assets.settings import Settings

GROUP = "alignments"


def _read_species_list(path: str | None) -> list[str] | None:
    if not path:
        return None
    return [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]


def _index_path(store: ArtifactStoreResource, maf: str, chrom: str) -> Path | None:
    """The artifact store when it is local, else beside the MAF (the index reader needs a local file)."""
    root = store.get_store()
    if root.is_local:
        folder = Path(root.path("maf_index", chrom).path)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / (Path(maf).name + ".utridx.npz")
    return None


def build_assets(settings: Settings) -> list:
    if settings.alignments is None:
        return []
    cfg = settings.alignments
    partitions = chromosome_partitions(cfg.chromosomes)
    expected_species = _read_species_list(cfg.species_list)
    aln_checks = alignment_checks(expected_species, cfg.min_species_coverage)

    @asset(
        group_name=GROUP,
        partitions_def=partitions,
        io_manager_key="handle_io_manager",
        code_version="1",
        check_specs=check_specs("maf_index", MAF_INDEX_CHECKS),
        description="Block offsets of the chromosome's MAF by reference interval; rebuilt when the MAF changes.",
    )
    def maf_index(
        context: AssetExecutionContext, settings: SettingsResource, artifact_store: ArtifactStoreResource
    ):
        chrom = context.partition_key
        maf = (settings.get().alignments or cfg).maf.format(chrom=chrom)
        started = time.perf_counter()
        index_path = _index_path(artifact_store, maf, chrom)
        index, rebuilt = load_or_build_index(maf, cfg.reference_species, index_path)
        seconds = time.perf_counter() - started
        on_chrom = int((index.chrom_codes == index.chroms.index(chrom)).sum()) if chrom in index.chroms else 0
        summary = {
            "maf": maf,
            "index": str(index_path) if index_path else None,
            "chromosome": chrom,
            "blocks_total": index.n_blocks,
            "blocks_on_chrom": on_chrom,
            "bytes_total": index.total_bytes,
            "compression": index.compression,
            "species_rows": index.species_rows,
            "rebuilt": rebuilt,
        }
        yield Output(
            summary,
            metadata={k: v for k, v in summary.items() if k != "species_rows"}
            | {
                "seconds": round(seconds, 3),
                "species": len(index.species_rows),
                "mb_per_s": round(index.total_bytes / 1e6 / seconds, 1) if rebuilt and seconds else 0.0,
            },
        )
        yield from run_quality_checks(
            "maf_index", pd.DataFrame([summary]).drop(columns="species_rows"), MAF_INDEX_CHECKS
        )

    @multi_asset(
        group_name=GROUP,
        partitions_def=partitions,
        code_version="1",
        ins={"utr3_regions": AssetIn(), "maf_index": AssetIn()},
        outs={
            "utr3_alignments": AssetOut(
                description="Aligned projection per (3'UTR, species): Zoo-AL rows, "
                "human length, RNA orientation."
            ),
            "utr3_orthologs": AssetOut(
                description="Unaligned orthologous 3'UTRs per (3'UTR, species), "
                "stop-codon anchored, RNA orientation."
            ),
        },
        check_specs=check_specs("utr3_alignments", aln_checks)
        + check_specs("utr3_orthologs", ORTHOLOG_CHECKS),
    )
    def utr3_alignment_pass(context: AssetExecutionContext, utr3_regions: pd.DataFrame, maf_index: dict):
        chrom = context.partition_key
        regions = utr3_regions[utr3_regions.chrom == chrom]
        index, _ = load_or_build_index(maf_index["maf"], cfg.reference_species, maf_index["index"])
        readable = index if index.compression != "gzip" else None
        with report_to(context.log):  # UTRs/s
            alignments, orthologs, stats = extract_utrs(
                maf_index["maf"], regions, cfg.reference_species, readable, workers=cfg.extraction_workers
            )
        # an empty MAF or one overlapping none of the partition's UTRs fails, saying why (as extract-utrs)
        check_overlap(maf_index["maf"], regions, stats, index, cfg.reference_species)
        stats_meta = stats.as_metadata() | {
            "species_coverage_histogram": MetadataValue.json(coverage_histogram(stats))
        }
        yield Output(
            alignments, output_name="utr3_alignments", metadata=stats_meta | {"rows": len(alignments)}
        )
        yield Output(
            orthologs,
            output_name="utr3_orthologs",
            metadata={"rows": len(orthologs), "bases": int(orthologs.length.sum())},
        )
        n_species = len(expected_species) if expected_species else max(alignments.species.nunique(), 1)
        validation = alignments.merge(regions[["utr_id", "length", "sequence"]], on="utr_id")
        validation = validation.assign(
            aligned_length=validation.aligned.str.len(),
            utr_length=validation.length,
            reference_mismatches=validation.hamming.where(validation.species == cfg.reference_species, 0),
            coverage=validation.utr_id.map(alignments.groupby("utr_id").species.nunique() / n_species),
        )
        yield from run_quality_checks("utr3_alignments", validation, aln_checks)
        yield from run_quality_checks("utr3_orthologs", orthologs, ORTHOLOG_CHECKS)

    @asset(
        group_name=GROUP,
        code_version="1",
        check_specs=check_specs("species", SPECIES_CHECKS),
        ins={"utr3_alignments": AssetIn(), "utr3_orthologs": AssetIn()},
        description="Every species in the alignments with its row, UTR and base counts.",
    )
    def species(utr3_alignments: dict[str, pd.DataFrame], utr3_orthologs: dict[str, pd.DataFrame]):
        alignments = pd.concat(list(utr3_alignments.values()), ignore_index=True)
        orthologs = pd.concat(list(utr3_orthologs.values()), ignore_index=True)
        table = species_table(alignments, orthologs)
        yield Output(
            table,
            metadata={
                "species": len(table),
                "chromosomes": len(utr3_alignments),
                "orthologs": int(table.orthologs.sum()),
            },
        )
        yield from run_quality_checks("species", table, SPECIES_CHECKS)

    return [maf_index, utr3_alignment_pass, species]
