"""Dagster assets of the reference group: `genome`, `gene_annotation`, `utr3_regions`."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from utr_assets.assets.reference_checks import ANNOTATION_CHECKS, GENOME_CHECKS, UTR3_CHECKS
from utr_assets.platform.quality import check_specs, run_quality_checks
from utr_assets.platform.resources import SettingsResource
from utr_assets.reference.annotation import read_annotation
from utr_assets.reference.fasta import Genome
from utr_assets.reference.transcript_table import frame_to_transcripts, transcripts_to_frame
from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

GROUP = "reference"


@asset(
    group_name=GROUP,
    io_manager_key="handle_io_manager",
    check_specs=check_specs("genome", GENOME_CHECKS),
    code_version="1",
    description="Indexed reference FASTA (plain or bgzip): path, contigs and lengths.",
)
def genome(context: AssetExecutionContext, settings: SettingsResource):
    path = settings.get().reference.genome
    with Genome(path) as fasta:
        contigs = fasta.contigs
    table = pd.DataFrame({"contig": list(contigs), "length": list(contigs.values())})
    yield Output(
        {"path": str(path), "contigs": contigs},
        metadata={
            "path": str(path),
            "contigs": len(contigs),
            "total_bp": int(table.length.sum()),
            "contig_lengths": MetadataValue.md(table.head(50).to_markdown(index=False)),
        },
    )
    yield from run_quality_checks("genome", table, GENOME_CHECKS)


@asset(
    group_name=GROUP,
    check_specs=check_specs("gene_annotation", ANNOTATION_CHECKS),
    code_version="1",
    description="Transcripts of the annotation (GTF, GFF3 or genePred), 0-based half-open intervals.",
)
def gene_annotation(context: AssetExecutionContext, settings: SettingsResource):
    ref = settings.get().reference
    table = transcripts_to_frame(
        read_annotation(ref.annotation, ref.annotation_format, ref.coordinate_offset)
    )
    yield Output(
        table,
        metadata={
            "source": ref.annotation,
            "transcripts": len(table),
            "genes": int(table.gene_id.nunique()),
            "protein_coding": int((table.transcript_type == "protein_coding").sum()),
        },
    )
    yield from run_quality_checks("gene_annotation", table, ANNOTATION_CHECKS)


@asset(
    group_name=GROUP,
    check_specs=check_specs("utr3_regions", UTR3_CHECKS),
    code_version="1",
    description="One row per human 3'UTR (docs/protocol.md §1): coordinates, blocks, stop codon, RNA-orientation sequence.",
)
def utr3_regions(
    context: AssetExecutionContext, settings: SettingsResource, genome: dict, gene_annotation: pd.DataFrame
):
    ref = settings.get().reference
    selection = Utr3Selection(
        ref.transcript_selection,
        tuple(ref.canonical_tags),
        ref.primary_contig_pattern,
        ref.spliced_utrs,
        ref.min_utr_length,
        ref.max_invalid_stop_fraction,
    )
    with Genome(genome["path"]) as fasta:
        table, excluded = select_utr3_regions(
            frame_to_transcripts(gene_annotation), fasta, selection, ref.annotation
        )
    reasons = excluded.reason.str.split(":").str[0].value_counts()
    yield Output(
        table,
        metadata={
            "utrs": len(table),
            "genes": int(table.gene_id.nunique()),
            "median_length": float(table.length.median()) if len(table) else 0.0,
            "mean_length": float(table.length.mean()) if len(table) else 0.0,
            "excluded": len(excluded),
            "exclusion_reasons": MetadataValue.json({k: int(v) for k, v in reasons.items()}),
        },
    )
    validation = table.assign(
        contig_length=table.chrom.map(genome["contigs"]).astype("int64"),
        sequence_length=table.sequence.str.len(),
    )
    yield from run_quality_checks("utr3_regions", validation, UTR3_CHECKS)
