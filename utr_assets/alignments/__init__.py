"""Alignments domain (plain Python, no dagster): MAF reading and indexing, 3'UTR aligned projections
(Zoo-AL rows) and stop-codon anchored orthologs. ``assets.py`` is the only Dagster glue."""

from .command import extract_utrs_to_dir
from .engine import ExtractionStats, revcomp
from .errors import MafFormatError
from .extract import (
    ALIGNMENT_COLUMNS,
    coverage_histogram,
    extract_utr_alignments,
    extract_utr_orthologs,
    extract_utrs,
    iter_utr_records,
    species_table,
)
from .index import MafIndex, build_maf_index, default_index_path, load_or_build_index
from .mafio import detect_compression
from .orthologs import ORTHOLOG_COLUMNS
from .reader import MafBlock, iter_maf_blocks, split_name

__all__ = [
    "ALIGNMENT_COLUMNS", "ORTHOLOG_COLUMNS", "ExtractionStats", "MafBlock", "MafFormatError", "MafIndex",
    "build_maf_index", "coverage_histogram", "default_index_path", "detect_compression", "extract_utr_alignments",
    "extract_utr_orthologs", "extract_utrs", "extract_utrs_to_dir", "iter_maf_blocks", "iter_utr_records", "load_or_build_index",
    "revcomp", "species_table", "split_name",
]
