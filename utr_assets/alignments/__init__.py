"""Alignments domain (plain Python, no dagster): MAF reading and indexing, 3'UTR aligned projections
(Zoo-AL rows) and stop-codon anchored orthologs. The Dagster glue is `utr_assets.assets.alignments`;
reverse complements are `utr_assets.common.sequences`."""

from utr_assets.alignments.command import extract_utrs_to_dir
from utr_assets.alignments.engine import ExtractionStats
from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.extract import (
    ALIGNMENT_COLUMNS,
    coverage_histogram,
    extract_utr_alignments,
    extract_utr_orthologs,
    extract_utrs,
    iter_utr_records,
    species_table,
)
from utr_assets.alignments.index import MafIndex, build_maf_index, default_index_path, load_or_build_index
from utr_assets.alignments.maf_block import MafBlock, split_name
from utr_assets.alignments.mafio import detect_compression
from utr_assets.alignments.orthologs import ORTHOLOG_COLUMNS
from utr_assets.alignments.reader import iter_maf_blocks

__all__ = [
    "ALIGNMENT_COLUMNS",
    "ORTHOLOG_COLUMNS",
    "ExtractionStats",
    "MafBlock",
    "MafFormatError",
    "MafIndex",
    "build_maf_index",
    "coverage_histogram",
    "default_index_path",
    "detect_compression",
    "extract_utr_alignments",
    "extract_utr_orthologs",
    "extract_utrs",
    "extract_utrs_to_dir",
    "iter_maf_blocks",
    "iter_utr_records",
    "load_or_build_index",
    "species_table",
    "split_name",
]
