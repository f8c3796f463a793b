"""Quality checks of the reference assets, as Great Expectations groups (built lazily)."""

from __future__ import annotations

from utr_assets.platform.quality import QualityCheck
from utr_assets.reference.utr3 import STOP_CODONS

GENOME_CHECKS = [
    QualityCheck(
        "contigs_valid",
        "Contig names unique and non-empty; every length positive.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeUnique(column="contig"),
            gx.expectations.ExpectColumnValuesToMatchRegex(column="contig", regex=r"^\S+$"),
            gx.expectations.ExpectColumnValuesToBeBetween(column="length", min_value=1),
        ],
    )
]

ANNOTATION_CHECKS = [
    QualityCheck(
        "unique_transcript_ids",
        "Every transcript id appears once.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeUnique(column="transcript_id"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="gene_id"),
        ],
    ),
    QualityCheck(
        "intervals_valid",
        "Strand is + or -; every transcript has exons and start < end.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeInSet(column="strand", value_set=["+", "-"]),
            gx.expectations.ExpectColumnValuesToBeBetween(column="start", min_value=0),
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end", column_B="start"),
        ],
    ),
    QualityCheck(
        "has_protein_coding",
        "At least one protein-coding transcript.",
        blocking=True,
        expectations=lambda gx: [
            gx.expectations.ExpectColumnDistinctValuesToContainSet(
                column="transcript_type", value_set=["protein_coding"]
            )
        ],
    ),
]

UTR3_CHECKS = [
    QualityCheck(
        "alphabet",
        "3'UTR sequences use only A, C, G, T, N.",
        lambda gx: [gx.expectations.ExpectColumnValuesToMatchRegex(column="sequence", regex=r"^[ACGTN]+$")],
    ),
    QualityCheck(
        "coordinates_in_contig",
        "0 <= start < end <= contig length; length matches the sequence.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeBetween(column="start", min_value=0),
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end", column_B="start"),
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="contig_length", column_B="end", or_equal=True
            ),
            gx.expectations.ExpectColumnPairValuesToBeEqual(column_A="length", column_B="sequence_length"),
        ],
    ),
    QualityCheck(
        "unique_ids",
        "One row per 3'UTR id and per transcript.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeUnique(column="utr_id"),
            gx.expectations.ExpectColumnValuesToBeUnique(column="transcript_id"),
        ],
    ),
    QualityCheck(
        "valid_stop_codons",
        "The codon before each 3'UTR is TAA, TAG or TGA (RNA orientation).",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeInSet(column="stop_codon", value_set=sorted(STOP_CODONS))
        ],
    ),
    QualityCheck(
        "length_distribution",
        "At least one UTR; lengths positive; median within 20 nt-20 kb (study: median 1,083 bp).",
        blocking=False,
        expectations=lambda gx: [
            gx.expectations.ExpectTableRowCountToBeBetween(min_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="length", min_value=1),
            gx.expectations.ExpectColumnMedianToBeBetween(column="length", min_value=20, max_value=20000),
        ],
    ),
]
