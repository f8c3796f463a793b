"""Small rules taken from the study's code (heiniglab/investigating-foundation-models-3utr), each on a
hand-built case where the study's rule and a plausible other rule give different answers.

Expected values are worked out by hand from the study's scripts named in each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from utr_assets.scoring.base import ALLELE_SCORES
from utr_assets.scoring.baselines import baseline_scorer
from utr_assets.scoring.variants import score_variants


def _regions() -> pd.DataFrame:
    # plus: chr1 [10, 15) "ACGTA"; minus: chr1 blocks [100, 102) + [104, 106), RNA "ACGT" (genome 105, 104, 101, 100)
    return pd.DataFrame({"utr_id": ["plus", "minus"], "gene_id": ["g1", "g2"], "chrom": ["chr1", "chr1"],
                         "start": [10, 100], "end": [15, 106], "strand": ["+", "-"], "length": [5, 4],
                         "blocks": ["", "100-102,104-106"], "sequence": ["ACGTA", "ACGT"]})


def test_cadd_variant_score_is_the_alleles_own_raw_score() -> None:
    # study: variant_effect/analysis/add_model_scores.ipynb, utr_variants.merge(cadd_res) on chrom, pos, ref, alt
    cadd = pd.DataFrame({"chrom": ["1"] * 6, "pos": [11, 11, 11, 106, 106, 106], "ref": ["A", "A", "A", "T", "T", "T"],
                         "alt": ["C", "G", "T", "A", "C", "G"], "raw_score": [0.1, 0.7, 0.3, 0.9, 0.2, 0.5],
                         "phred": [1.0] * 6})
    scorer = baseline_scorer("cadd", regions=_regions(), cadd=cadd)
    assert ALLELE_SCORES in scorer.capabilities
    # RNA orientation: plus offset 0 A>C = genome 11 A>C; minus offset 0 A>G = genome 106 T>C; plus offset 1 (no row)
    variants = pd.DataFrame({"variant_id": ["v1", "v2", "v3", "v4"], "utr_id": ["plus", "minus", "plus", "plus"],
                             "pos": [0, 0, 1, 0], "ref": ["A", "A", "C", "A"], "alt": ["C", "G", "T", "T"]})
    got = score_variants(scorer, variants, {"plus": "ACGTA", "minus": "ACGT"})["site_score"].to_numpy()
    np.testing.assert_allclose(got, [0.1, 0.2, np.nan, 0.3])  # per-position maxima would be 0.7, 0.9, nan, 0.7
    # the RBP task keeps the per-position maximum
    np.testing.assert_allclose(scorer.site_scores(["ACGT"], ["minus"])[0], [0.9, np.nan, np.nan, np.nan])


def test_a_variant_inside_several_utrs_belongs_to_the_longest() -> None:
    # study: variant_effect/dataprep/combine_sources.ipynb sorts by UTR length, descending, and keeps the first
    from utr_assets.benchmarks.task_variants import annotate_utr
    from utr_assets.benchmarks.utr_coords import UtrIndex

    genome = "ACGTTGCAACGGTACCATGGATCCAAGCTT"  # chr1, 0-based
    def utr(uid: str, s: int, e: int) -> dict:
        return dict(utr_id=uid, gene_id=uid, chrom="chr1", start=s, end=e, strand="+", length=e - s, blocks="",
                    sequence=genome[s:e])
    # "a_short" sorts first by utr_id; "b_long" contains it
    index = UtrIndex(pd.DataFrame([utr("a_short", 10, 15), utr("b_long", 5, 25)]))
    snv = pd.DataFrame({"chrom": ["chr1"], "pos": [13], "ref": [genome[12]], "alt": ["A"]})  # 1-based 13
    out, _ = annotate_utr(snv, index)
    assert (out.utr_id[0], out.utr_offset[0]) == ("b_long", 7)  # the first by utr_id would be ("a_short", 2)
