"""Quality checks of the alignment assets (Great Expectations groups, built lazily)."""

from __future__ import annotations

from utr_assets.platform.quality import QualityCheck

MAF_INDEX_CHECKS = [
    QualityCheck(
        "blocks_indexed",
        "The MAF has blocks on this chromosome, with the reference row in each.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeBetween(column="blocks_on_chrom", min_value=1),
            gx.expectations.ExpectColumnValuesToBeBetween(column="bytes_total", min_value=1),
        ],
    )
]


def alignment_checks(species: list[str] | None, min_coverage: float) -> list[QualityCheck]:
    checks = [
        QualityCheck(
            "rows_have_human_length",
            "Every aligned row is exactly as long as the human 3'UTR.",
            lambda gx: [
                gx.expectations.ExpectColumnPairValuesToBeEqual(
                    column_A="aligned_length", column_B="utr_length"
                )
            ],
        ),
        QualityCheck(
            "human_row_matches_reference",
            "The reference row equals utr3_regions.sequence where aligned.",
            lambda gx: [
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="reference_mismatches", min_value=0, max_value=0
                )
            ],
        ),
        QualityCheck(
            "species_coverage",
            f"Each 3'UTR is aligned in at least {min_coverage:.0%} of the species.",
            lambda gx: [
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="coverage", min_value=min_coverage, max_value=1.0
                )
            ],
            blocking=False,
        ),
    ]
    if species:
        checks.append(
            QualityCheck(
                "species_known",
                "Every species name is in the configured species list.",
                lambda gx: [
                    gx.expectations.ExpectColumnValuesToBeInSet(column="species", value_set=sorted(species))
                ],
            )
        )
    return checks


ORTHOLOG_CHECKS = [
    QualityCheck(
        "orthologs_valid",
        "Ortholog sequences are non-empty ACGTN; one row per (UTR, species).",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToMatchRegex(column="sequence", regex=r"^[ACGTN]+$"),
            gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["utr_id", "species"]),
        ],
    )
]

SPECIES_CHECKS = [
    QualityCheck(
        "species_unique",
        "One row per species, with at least one ortholog or aligned base.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeUnique(column="species"),
            gx.expectations.ExpectColumnValuesToMatchRegex(column="species", regex=r"^[A-Za-z0-9_]+$"),
        ],
    )
]
