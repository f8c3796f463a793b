"""One model on one task (speed_benchmarks/evaluate.py): scores read from the right scoring output, the
protocol applied, missing capabilities and unusable splits turned into not-applicable rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utr_assets.evaluation import evaluate
from utr_assets.evaluation.evaluate import TASK_COLUMNS, Protocol
from utr_assets.evaluation.leaderboard import build_leaderboard, headline, headline_pivot

FAST = Protocol(
    n_boot=50,
    mlp_outer_folds=3,
    mlp_inner_folds=2,
    mlp_grid={"hidden_layer_sizes": [(8,)], "alpha": [1e-3]},
    mpra_outer_folds=4,
    mpra_probes=("ridge",),
    half_life_probes=("ridge",),
)
ACGT = np.array(list("ACGT"))


def _instances(n_utrs: int = 20, per_utr: int = 6, seed: int = 0) -> tuple[pd.DataFrame, dict[str, str]]:
    rng = np.random.default_rng(seed)
    sequences = {f"u{i}": "".join(rng.choice(ACGT, 120)) for i in range(n_utrs)}
    rows = []
    for u in sequences:
        for j in range(per_utr):
            offset = 5 + 18 * j
            label = int(j % 2 == 0)
            rows.append(
                {
                    "instance_id": f"{u}:{offset}",
                    "rbp": "R",
                    "kmer": sequences[u][offset : offset + 5],
                    "rbp_motif": "R_x",
                    "utr_id": u,
                    "gene_id": f"g{u}",
                    "offset": offset,
                    "chrom": "chr1",
                    "strand": "+",
                    "label": label,
                    "phylop_max": float(rng.normal()),
                    "top_conserved": bool(label and j == 0),
                    "bottom_conserved": bool(label and j == 2),
                }
            )
    return pd.DataFrame(rows), sequences


def _probabilities(
    instances: pd.DataFrame, sequences: dict[str, str], signal: float
) -> dict[str, np.ndarray]:
    """P(ref) = 0.25 + signal at positive instances' 5 positions, 0.25 elsewhere (rows sum to 1)."""
    out = {}
    for u, seq in sequences.items():
        p = np.full((len(seq), 4), 0.25)
        for off in instances.loc[(instances.utr_id == u) & (instances.label == 1), "offset"]:
            for pos in range(off, off + 5):
                ref = "ACGT".index(seq[pos])
                p[pos] = (0.75 - signal) / 3
                p[pos, ref] = 0.25 + signal
        out[u] = p.astype(np.float32)
    return out


def test_rbp_metrics_read_p_ref_of_probabilities_and_report_all_splits() -> None:
    instances, sequences = _instances()
    table, curves = evaluate.rbp_motif_metrics(
        "m", instances, _probabilities(instances, sequences, 0.5), "probabilities", sequences, FAST
    )
    assert list(table.columns) == TASK_COLUMNS
    auc = table[table.metric == "roc_auc"].set_index("split")
    assert set(auc.index) == {"all", "top10_phylop", "bottom10_phylop"}
    assert auc.loc["all", "value"] == pytest.approx(1.0) and (auc.score == "p_ref_mean").all()
    assert set(curves.split) == set(auc.index)


def test_rbp_metrics_without_signal_are_near_chance_and_site_scores_use_the_max() -> None:
    instances, sequences = _instances()
    flat = {u: np.full((len(s), 4), 0.25, dtype=np.float32) for u, s in sequences.items()}
    table, _ = evaluate.rbp_motif_metrics("m", instances, flat, "probabilities", sequences, FAST)
    assert table.loc[table.split == "all", "value"].iloc[0] == pytest.approx(0.5)
    # one high base inside each positive 5-mer: the max finds it, a mean over 5 would dilute it equally
    site = {u: np.zeros(len(s)) for u, s in sequences.items()}
    for row in instances[instances.label == 1].itertuples():
        site[row.utr_id][row.offset + 2] = 3.0
    table, _ = evaluate.rbp_motif_metrics("phylop", instances, site, "site_scores", sequences, FAST)
    assert (table.score == "site_score_max").all()
    assert table.loc[table.split == "all", "value"].iloc[0] == pytest.approx(1.0)


def test_missing_capability_is_one_not_applicable_row() -> None:
    instances, sequences = _instances()
    table, curves = evaluate.rbp_motif_metrics("bpe", instances, None, None, sequences, FAST)
    assert len(table) == 1 and table.status.iloc[0] == "not_applicable" and "per-base" in table.reason.iloc[0]
    assert curves.empty
    assert evaluate.mpra_metrics("phylop", pd.DataFrame(), None, None, FAST).status.tolist() == [
        "not_applicable"
    ]


def _variants(n_genes: int = 30, per_gene: int = 8, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for split in ("clinvar", "cadd"):
        for g in range(n_genes):
            for j in range(per_gene):
                rows.append(
                    {
                        "split": split,
                        "label": int(j % 2),
                        "variant_id": f"{split}{g}_{j}",
                        "gene_id": f"g{g}",
                        "utr_id": f"u{g}",
                    }
                )
    table = pd.DataFrame(rows)
    return table.sample(frac=1.0, random_state=int(rng.integers(100))).reset_index(drop=True)


def test_variant_metrics_zero_shot_flip_and_mlp_on_embeddings() -> None:
    variants = _variants()
    rng = np.random.default_rng(0)
    y = variants.label.to_numpy()
    scores = pd.DataFrame(
        {
            "variant_id": variants.variant_id,
            "pref": -y + rng.normal(0, 0.3, len(y)),
            "vis": np.ones(len(y)),
            "site_score": np.nan,
        }
    )
    ref = rng.normal(size=(len(y), 6)).astype(np.float32)
    alt = ref.copy()
    alt[:, 0] += 3.0 * y  # the alt allele of a positive moves the embedding
    table, curves = evaluate.variant_effect_metrics(
        "m", variants, scores, (variants.variant_id.tolist(), ref, alt), FAST
    )
    ok = table[table.status == "ok"]
    assert set(ok.score) == {
        "pref",
        "mlp_grouped",
        "mlp_ungrouped",
    }  # constant and all-NaN scores are skipped
    pref = ok[(ok.score == "pref") & (ok.split == "cadd")].set_index("metric")["value"]
    assert pref["roc_auc"] < 0.1 and pref["roc_auc_flipped"] == pytest.approx(1 - pref["roc_auc"])
    mlp = ok[(ok.score == "mlp_grouped")]
    assert (mlp.value > 0.9).all() and set(mlp.split) == {"clinvar", "cadd"}
    assert set(curves.split) == {"clinvar", "cadd"} and (curves.score == "pref").all()
    # the curve of a flipped score is drawn flipped: above the diagonal
    assert curves.groupby("split").auc.first().min() > 0.9


def test_variant_split_too_small_for_its_folds_is_reported_not_raised() -> None:
    variants = _variants(n_genes=2, per_gene=4)
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(len(variants), 4)).astype(np.float32)
    table, _ = evaluate.variant_effect_metrics(
        "m",
        variants,
        pd.DataFrame({"variant_id": variants.variant_id}),
        (variants.variant_id.tolist(), emb, emb + 1),
        FAST,
    )
    failed = table[table.status == "not_applicable"]
    assert set(failed.split) == {"clinvar", "cadd"} and failed.reason.str.contains("groups").all()


def test_regression_tasks_recover_a_linear_signal_and_count_dropped_rows() -> None:
    rng = np.random.default_rng(0)
    n = 120
    ids = [f"o{i}" for i in range(n)]
    features = rng.normal(size=(n, 5))
    value = features @ np.array([1.0, -0.5, 0.0, 0.0, 0.2]) + rng.normal(0, 0.2, n)
    features[3] = np.nan  # a sequence without a token: dropped and counted
    mpra = pd.DataFrame(
        {
            "oligo_id": ids,
            "sequence": "A",
            "group": [f"grp{i // 3}" for i in range(n)],
            "cell_line": "HMEC",
            "target": "log2fc",
            "value": value,
            "gene_id": None,
            "chrom": None,
            "study": "griesemer2021",
        }
    )
    table = evaluate.mpra_metrics("m", mpra, ids, features, FAST)
    row = table.iloc[0]
    assert (row.split, row.score, row.metric) == ("HMEC/log2fc", "ridge", "pearson_r")
    assert row.value > 0.9 and row.ci_low < row.value < row.ci_high and row.n_dropped == 1
    half = pd.DataFrame({"gene_id": ids, "utr_id": ids, "value": value, "fold": np.arange(n) % 10})
    table = evaluate.half_life_metrics("m", half, ids, features, FAST)
    assert table.value.iloc[0] > 0.9 and table.n_dropped.iloc[0] == 1 and table.split.iloc[0] == "all"


def test_leaderboard_keeps_not_applicable_rows_and_headline_picks_the_best_score() -> None:
    variants = _variants()
    y = variants.label.to_numpy()
    rng = np.random.default_rng(3)
    scores = pd.DataFrame(
        {
            "variant_id": variants.variant_id,
            "pref": y + rng.normal(0, 1.0, len(y)),
            "pratio": y + rng.normal(0, 0.1, len(y)),
        }
    )
    good, _ = evaluate.variant_effect_metrics("good", variants, scores, None, FAST)
    na = evaluate.not_applicable("bpe", "rbp_motifs", "no per-base probabilities")
    table = build_leaderboard([good.assign(checkpoint="file:///ckpt#sha256=ab"), na])
    assert table.loc[table.model == "bpe", "status"].tolist() == ["not_applicable"]
    assert (table.loc[table.model == "good", "checkpoint"] == "file:///ckpt#sha256=ab").all()
    head = headline(table)
    assert set(head.split) == {"clinvar", "cadd"} and (head.score == "pratio").all()
    assert (head.metric == "roc_auc_flipped").all()
    pivot = headline_pivot(table)
    assert list(pivot.index) == ["good"] and set(pivot.columns) == {
        "variant_effects:cadd",
        "variant_effects:clinvar",
    }
