"""Variant score formulas by hand, and score_variants on a tiny model and a baseline."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from utr_assets.scoring.base import ScoringError
from utr_assets.scoring.baselines import ZooAlScorer, baseline_scorer
from utr_assets.scoring.variants import (
    SCORE_COLUMNS,
    allele_scores,
    dependency,
    embedding_distances,
    logit2,
    score_variants,
    vis_scores,
    window_bounds,
)
from utr_assets_tests.scoring.test_scoring_marginals import random_sequences, tiny_scorer


def test_allele_scores_by_hand():
    p = np.array([[0.1, 0.2, 0.3, 0.4]])
    pref, palt_inv, pratio = allele_scores(p, 0, "G", "A")
    assert pref == pytest.approx(math.log(0.3)) and palt_inv == pytest.approx(-math.log(0.1))
    assert pratio == pytest.approx(math.log(3.0))


def test_vis_by_hand():
    assert logit2(np.array([0.5]))[0] == pytest.approx(0.0)
    assert logit2(np.array([0.8]))[0] == pytest.approx(2.0)
    ref = np.full((5, 4), 0.25)
    alt = ref.copy()
    alt[0] = [0.8, 0.2 / 3, 0.2 / 3, 0.2 / 3]  # |logit2(0.8) - logit2(0.25)| = 2 + log2(3)
    alt[2] = [0.5, 0.5, 0.0, 0.0]  # the variant itself: excluded
    dep = dependency(ref, alt, 2)
    assert np.isnan(dep[2]) and dep[0] == pytest.approx(2 + math.log2(3))
    scores = vis_scores(dep, 2, radii=(1, 2))
    assert scores["vis"] == pytest.approx((2 + math.log2(3)) / 4)
    assert scores["vis_r1"] == 0.0 and scores["vis_r2"] == pytest.approx(scores["vis"])


def test_embedding_distances_by_hand():
    d = embedding_distances(np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]]))
    assert (d["l1"][0], d["dot"][0], d["cosine"][0]) == (3.0, 0.0, 0.0)  # orthogonal: cosine similarity 0
    assert d["l2"][0] == pytest.approx(math.sqrt(5))


def test_window_bounds_centre_and_edges():
    assert window_bounds(100, 50, 10) == (45, 55)
    assert window_bounds(100, 2, 10) == (0, 10) and window_bounds(100, 98, 10) == (90, 100)
    assert window_bounds(8, 3, 10) == (0, 8)


def test_score_variants_with_a_model_matches_direct_computation():
    scorer = tiny_scorer("nt", context=32)
    seq = random_sequences((60,), seed=9)[0]
    v, alt = 30, "ACGT"[("ACGT".index(seq[30]) + 1) % 4]
    variants = pd.DataFrame(
        {
            "variant_id": ["x"],
            "utr_id": ["u"],
            "pos": [1234],
            "utr_offset": [v],
            "ref_rna": [seq[v]],
            "alt_rna": [alt],
        }
    )
    out = score_variants(scorer, variants, {"u": seq}, window=20, radii=(4, 10, 64))
    assert (
        list(out.columns[:3]) == ["variant_id", "utr_id", "offset"]
        and "vis_r10" in out
        and "vis_r64" not in out
    )
    ref_w, alt_w = seq[20:40], seq[20:30] + alt + seq[31:40]
    p_ref, p_alt = scorer.base_probabilities([ref_w, alt_w])
    row = out.iloc[0]
    expected = allele_scores(p_ref, 10, seq[v], alt)
    assert (row.pref, row.palt_inv, row.pratio) == pytest.approx(expected, rel=1e-5)
    assert row.vis == pytest.approx(vis_scores(dependency(p_ref, p_alt, 10), 10)["vis"], rel=1e-5)
    loss = scorer.reconstruction_loss([ref_w, alt_w])
    assert row.loss_diff == pytest.approx(loss[1] - loss[0], rel=1e-4, abs=1e-6)
    assert np.isfinite(row[SCORE_COLUMNS[:-1]].to_numpy(float)).all() and np.isnan(row.site_score)


def test_score_variants_zoo_al_and_missing_capabilities():
    table = pd.DataFrame({"utr_id": ["u", "u"], "aligned": ["ACGT", "ACAT"]})
    variants = pd.DataFrame({"utr_id": ["u"], "pos": [2], "ref": ["G"], "alt": ["A"]})  # 0-based, RNA
    out = score_variants(ZooAlScorer(table), variants, {"u": "ACGT"})
    assert out.pref[0] == pytest.approx(math.log(0.5)) and out.palt_inv[0] == pytest.approx(-math.log(0.5))
    assert out[["vis", "l1", "loss_ref"]].isna().all(axis=None)
    features = score_variants(baseline_scorer("kmer", kmer_k=1), variants, {"u": "ACGT"})
    assert features.l1[0] == 2.0 and np.isnan(features.pref[0])


def test_score_variants_refuses_a_reference_mismatch():
    variants = pd.DataFrame({"utr_id": ["u"], "pos": [0], "ref": ["G"], "alt": ["A"]})
    with pytest.raises(ScoringError, match="matching"):
        score_variants(baseline_scorer("griesemer"), variants, {"u": "ACGT"})
