"""Quality checks of the task dataset assets (Great Expectations groups, built lazily)."""

from __future__ import annotations

from utr_assets.platform.quality import QualityCheck

RBP_CHECKS = [
    QualityCheck(
        "instances_valid",
        "Labels are 0/1 with both classes; 5-mers of ACGT; ids unique.",
        lambda gx: [
            gx.expectations.ExpectColumnDistinctValuesToEqualSet(column="label", value_set=[0, 1]),
            gx.expectations.ExpectColumnValuesToMatchRegex(column="kmer", regex=r"^[ACGT]{5}$"),
            gx.expectations.ExpectColumnValuesToBeUnique(column="instance_id"),
        ],
    )
]
VARIANT_CHECKS = [
    QualityCheck(
        "variants_valid",
        "SNVs with ref != alt in ACGT, labels 0/1, inside a 3'UTR, unique per split.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeInSet(column="ref_rna", value_set=list("ACGT")),
            gx.expectations.ExpectColumnValuesToBeInSet(column="alt_rna", value_set=list("ACGT")),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="utr_id"),
            gx.expectations.ExpectColumnValuesToBeBetween(column="utr_offset", min_value=0),
            gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["split", "variant_id"]),
            gx.expectations.ExpectColumnDistinctValuesToEqualSet(column="label", value_set=[0, 1]),
        ],
    )
]
MPRA_CHECKS = [
    QualityCheck(
        "mpra_valid",
        "Oligo sequences ACGTN; finite values; every oligo has a CV group.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToMatchRegex(column="sequence", regex=r"^[ACGTN]+$"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="value"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="group"),
        ],
    )
]
HALF_LIFE_CHECKS = [
    QualityCheck(
        "half_life_valid",
        "One row per gene with a 3'UTR, a finite value and one of the given folds.",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToBeUnique(column="gene_id"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="value"),
            gx.expectations.ExpectColumnUniqueValueCountToBeBetween(column="fold", min_value=2),
        ],
    )
]
