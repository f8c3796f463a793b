"""Tasks 3 and 4: CV groups for MPRA oligos, half-life join, regression evaluation, sequence features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utr_assets.evaluation.expression import evaluate_regression
from utr_assets.scoring.sequence_features import griesemer_features, kmer_count_features
from utr_assets.tasks.expression import (
    build_half_life_dataset,
    build_mpra_dataset,
    interval_overlap_groups,
    sequence_overlap_groups,
)


def test_interval_and_sequence_overlap_groups():
    g = interval_overlap_groups(
        ["chr1", "chr1", "chr1", "chr2", "chr1"], [10, 50, 200, 10, 100], [60, 120, 260, 60, 150]
    )
    assert g[0] == g[1] == g[4] and g[2] != g[0] and g[3] not in (g[0], g[2])
    rng = np.random.default_rng(0)
    base = "".join(rng.choice(list("ACGT"), 200))
    seqs = [base[:100], base[60:160], "".join(rng.choice(list("ACGT"), 100)), base[:50] + "T" + base[51:100]]
    s = sequence_overlap_groups(seqs)
    assert s[0] == s[1] == s[3] and s[2] != s[0]


def _mpra_long(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        seq = "".join(rng.choice(list("ACGT"), 60))
        value = seq.count("TATTT") * -1.0 + seq.count("GC") * 0.2 + rng.normal(0, 0.2)
        chrom = f"chr{i % 4 + 1}"
        for allele in ("ref", "alt"):
            rows.append(
                {
                    "oligo_id": f"o{i}:{allele}",
                    "sequence": seq,
                    "cell_line": "HMEC",
                    "target": "log2fc",
                    "value": value,
                    "gene_id": f"G{i}",
                    "chrom": chrom,
                    "start": 1000 * i,
                    "end": 1000 * i + 59,
                    "variant_id": f"v{i}",
                    "allele": allele,
                }
            )
    return pd.DataFrame(rows)


def test_mpra_groups_keep_alleles_together_and_use_chromosomes():
    table = _mpra_long()
    o1 = table["oligo_id"].str.startswith("o1:")
    table.loc[o1, "start"], table.loc[o1, "chrom"] = 10, "chr1"  # o1 now overlaps o0
    data = build_mpra_dataset(table, "gene").set_index("oligo_id")
    assert data.loc["o0:ref", "group"] == data.loc["o0:alt", "group"] == data.loc["o1:ref", "group"]
    assert data.loc["o2:ref", "group"] != data.loc["o0:ref", "group"]
    by_chrom = build_mpra_dataset(table, "chromosome")
    assert set(by_chrom["group"]) == {"chr1", "chr2", "chr3", "chr4"}
    with pytest.raises(ValueError, match="grouping"):
        build_mpra_dataset(table, "random")


def test_siegel_without_chromosome_is_placed_in_utrs():
    rng = np.random.default_rng(1)
    utr = "".join(rng.choice(list("ACGT"), 400))
    regions = pd.DataFrame({"utr_id": ["U1"], "chrom": ["chr7"], "strand": ["-"], "sequence": [utr]})
    table = pd.DataFrame(
        {
            "oligo_id": ["a", "b"],
            "sequence": [utr[100:200], "".join(rng.choice(list("ACGT"), 100))],
            "cell_line": "Beas2B",
            "target": "activity",
            "value": [0.1, 0.2],
            "gene_id": None,
            "chrom": None,
            "start": pd.NA,
            "end": pd.NA,
            "variant_id": None,
            "allele": None,
        }
    )
    groups = build_mpra_dataset(table, "chromosome", regions).set_index("oligo_id")["group"]
    assert groups["a"] == "chr7" and groups["b"].startswith("seq:")


def test_half_life_join_strips_versions():
    hl = pd.DataFrame(
        {
            "gene_id": ["ENSG1", "ENSG2", "ENSG9"],
            "gene_name": ["A", "B", "Z"],
            "value": [1.0, 2.0, 3.0],
            "fold": [0, 1, 2],
        }
    )
    regions = pd.DataFrame({"utr_id": ["U1", "U2"], "gene_id": ["ENSG1.4", "ENSG2.1"]})
    out = build_half_life_dataset(hl, regions)
    assert out[["gene_id", "utr_id", "fold"]].values.tolist() == [["ENSG1", "U1", 0], ["ENSG2", "U2", 1]]
    assert out.attrs["dropped_without_utr"] == 1


def test_regression_evaluation_on_kmer_features_has_positive_r():
    data = build_mpra_dataset(_mpra_long(n=120), "gene")
    ids = data.drop_duplicates("oligo_id")
    X = kmer_count_features(ids["sequence"].tolist(), 2)
    rows, preds = evaluate_regression(
        data,
        ids["oligo_id"].tolist(),
        X,
        model="kmer-counts",
        task="mpra",
        id_column="oligo_id",
        probes=("ridge",),
        n_outer=5,
        alphas=np.logspace(-1, 3, 9),
    )
    assert [r["split"] for r in rows] == ["HMEC/log2fc"]
    assert rows[0]["value"] > 0.3 and rows[0]["ci_low"] < rows[0]["value"] < rows[0]["ci_high"]
    assert preds["prediction"].notna().all() and len(preds) == len(data)
    # half-life layout: given folds, one split "all"
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 5))
    hl = pd.DataFrame(
        {
            "gene_id": [f"g{i}" for i in range(80)],
            "utr_id": [f"u{i}" for i in range(80)],
            "value": X[:, 0] + rng.normal(0, 0.3, 80),
            "fold": np.arange(80) % 10,
        }
    )
    rows, _ = evaluate_regression(
        hl, hl["utr_id"].tolist(), X, model="m", task="half_life", id_column="utr_id", probes=("ridge",)
    )
    assert rows[0]["split"] == "all" and rows[0]["value"] > 0.8


def test_sequence_features():
    counts = kmer_count_features(["AAAAC", "ACGTN"], 2)
    assert counts.shape == (2, 16) and counts[0, 0] == 3 and counts[0, 1] == 1 and counts[1].sum() == 3
    feats = griesemer_features(["AAAACGCGTT", "ACGT"])
    assert feats.shape == (2, 58)
    first = feats[0]
    assert first[:4].tolist() == [40.0, 20.0, 20.0, 20.0]  # nucleotide %
    assert first[4] == 3  # AA count (overlapping)
    assert first[36:41].tolist() == [4, 1, 1, 2, 4]  # homopolymers A C G T, overall
    assert first[41 + 6] == 2  # CG repeated twice (CGCG)
    assert first[57] == 4  # positions equal to the previous
