"""Baselines as scorers: Zoo-AL column frequencies, PhyloP (wiggle) and CADD tracks, sequence features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utr_assets.scoring.base import SITE_SCORES, ScoringError
from utr_assets.scoring.baselines import ZooAlScorer, baseline_scorer, column_frequencies

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"


def test_zoo_al_column_frequencies_by_hand():
    rows = ["ACG-T", "AC--T", "GUNNT"]  # human first; U counts as T; gaps and N ignored
    p = column_frequencies(rows)
    np.testing.assert_allclose(p[0], [2 / 3, 0, 1 / 3, 0], atol=1e-6)
    np.testing.assert_allclose(p[1], [0, 2 / 3, 0, 1 / 3], atol=1e-6)
    np.testing.assert_allclose(p[2], [0, 0, 1, 0], atol=1e-6)
    assert np.isnan(p[3]).all()  # no base in any row: NaN (documented)
    np.testing.assert_allclose(p[4], [0, 0, 0, 1], atol=1e-6)


def test_zoo_al_scorer_uses_ids_and_checks_lengths():
    table = pd.DataFrame(
        {
            "utr_id": ["u1", "u1", "u2"],
            "species": ["Homo_sapiens", "Mus", "Homo_sapiens"],
            "aligned": ["ACGT", "ACGA", "GG"],
        }
    )
    scorer = ZooAlScorer(table)
    p = scorer.base_probabilities(["ACGT", "GG", "AAA"], ["u1", "u2", "u3"])
    np.testing.assert_allclose(p[0][3], [0.5, 0, 0, 0.5], atol=1e-6)
    assert np.isnan(p[2]).all()  # UTR without alignment rows
    with pytest.raises(ScoringError, match="ids"):
        scorer.base_probabilities(["ACGT"])
    with pytest.raises(ScoringError, match="length"):
        scorer.base_probabilities(["ACG"], ["u1"])


def _regions():
    return pd.DataFrame(
        {
            "utr_id": ["plus", "minus"],
            "gene_id": ["g1", "g2"],
            "chrom": ["chr1", "chr1"],
            "start": [10, 100],
            "end": [15, 106],
            "strand": ["+", "-"],
            "length": [5, 4],
            "blocks": ["", "100-102,104-106"],
            "sequence": ["ACGTA", "ACGT"],
        }
    )


def test_phylop_wiggle_maps_blocks_and_strand(tmp_path):
    wig = tmp_path / "t.wig"
    # 1-based fixedStep: genome position p (0-based) has value p / 10
    wig.write_text("fixedStep chrom=chr1 start=1 step=1\n" + "".join(f"{p / 10}\n" for p in range(120)))
    scorer = baseline_scorer("phylop", regions=_regions(), phylop=wig)
    assert SITE_SCORES in scorer.capabilities
    plus, minus = scorer.site_scores(["ACGTA", "ACGT"], ["plus", "minus"])
    np.testing.assert_allclose(plus, [1.0, 1.1, 1.2, 1.3, 1.4], atol=1e-6)
    np.testing.assert_allclose(minus, [10.5, 10.4, 10.1, 10.0], atol=1e-6)  # RNA orientation, blocks joined


def test_phylop_real_wiggle_fixture():
    wig = REAL / "taffy" / "hg38_chr22_22000000_22100000.phyloP.wig"
    if not wig.exists():
        pytest.skip(f"real fixture absent: {wig}")
    regions = pd.DataFrame(
        {
            "utr_id": ["u"],
            "gene_id": ["g"],
            "chrom": ["chr22"],
            "start": [22000000],
            "end": [22000004],
            "strand": ["+"],
            "length": [4],
            "sequence": ["ACGT"],
        }
    )
    values = baseline_scorer("phylop", regions=regions, phylop=wig).site_scores(["ACGT"], ["u"])[0]
    np.testing.assert_allclose(values, [-1.301, 0.663, 0.663, -0.1], atol=1e-6)


def test_phylop_bigwig_maps_blocks_and_strand_like_the_wiggle(tmp_path):
    import pyBigWig

    bw = pyBigWig.open(str(tmp_path / "t.bw"), "w")
    bw.addHeader([("chr1", 1000)])
    # genome position p (0-based) has value p / 10, as in the wiggle test above
    bw.addEntries("chr1", 0, values=[p / 10 for p in range(120)], span=1, step=1)
    bw.close()
    plus, minus = baseline_scorer("phylop", regions=_regions(), phylop=tmp_path / "t.bw").site_scores(
        ["ACGTA", "ACGT"], ["plus", "minus"]
    )
    np.testing.assert_allclose(plus, [1.0, 1.1, 1.2, 1.3, 1.4], atol=1e-6)
    np.testing.assert_allclose(minus, [10.5, 10.4, 10.1, 10.0], atol=1e-6)


def test_cadd_is_the_per_position_max_raw_score():
    cadd = pd.DataFrame(
        {
            "chrom": ["1"] * 4,
            "pos": [11, 11, 11, 12],
            "ref": ["A"] * 4,
            "alt": ["C", "G", "T", "C"],
            "raw_score": [0.1, 0.7, 0.3, -0.2],
            "phred": [1.0] * 4,
        }
    )
    values = baseline_scorer("cadd", regions=_regions(), cadd=cadd).site_scores(["ACGTA"], ["plus"])[0]
    np.testing.assert_allclose(values, [0.7, -0.2, np.nan, np.nan, np.nan])  # 1-based 11 = 0-based 10


def test_feature_baselines_are_embeddings_of_their_width():
    seqs = ["ACGTTTGA", "GGGG"]
    kmer = baseline_scorer("kmer", kmer_k=2)
    grie = baseline_scorer("griesemer")
    assert kmer.embeddings(seqs).shape == (2, 16) and kmer.embeddings(seqs)[1].sum() == 3
    assert grie.hidden_size == 58 and grie.embeddings(seqs).shape == (2, 58)
    with pytest.raises(ScoringError):
        grie.base_probabilities(seqs)
