"""Zero-shot scores of the benchmark's variant sets for one model: what the `variant_scores` asset computes.

What belongs here: turning the `variant_sets` table (one row per split and variant, 1-based VCF `pos`,
0-based RNA `utr_offset`, `ref_rna`/`alt_rna`) into the input of `variants.score_variants` in the
model's orientation (`variants.orient_variants` mirrors minus-strand UTRs for DNA models), and the
scores back into one row per (split, variant). Not here: the scores themselves (variants.py), the asset
(utr_assets/assets/scoring_variants.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from utr_assets.scoring.base import Scorer
from utr_assets.scoring.variants import orient_variants, score_variants


@dataclass
class VariantSetScores:
    """``table``: split, label, variant_id and the scores; ``scores``: one row per variant; ``ids``: the
    variants in scoring order; ``embeddings``: side (ref, alt) -> window embeddings, when the model has them."""

    table: pd.DataFrame
    scores: pd.DataFrame
    ids: list[str]
    embeddings: dict[str, np.ndarray] = field(default_factory=dict)


def score_variant_sets(
    scorer: Scorer,
    variant_sets: pd.DataFrame,
    regions: pd.DataFrame,
    orientation: str,
    base_probabilities: Mapping[str, np.ndarray] | None = None,
    *,
    window: int = 4096,
    embedding_mode: str = "mean_chunks",
    vis_mode: str | None = None,
    base_probability_mode: str = "",
) -> VariantSetScores:
    """Score every distinct variant once in the model's orientation (pref/palt read the stored whole-UTR
    probabilities, mirrored for DNA) and join the scores to each (split, variant) row; the keywords are
    `score_variants`'."""
    # score_variants reads 0-based RNA offsets as `pos` (the table's own `pos` is the 1-based VCF one)
    variants = (
        variant_sets.drop_duplicates("variant_id").drop(columns=["pos"]).rename(columns={"utr_offset": "pos"})
    )
    variants, sequences, probs = orient_variants(variants, regions, orientation, base_probabilities)
    sink: dict[str, np.ndarray] = {}
    scores = score_variants(
        scorer,
        variants[["variant_id", "utr_id", "pos", "ref_rna", "alt_rna"]].rename(
            columns={"ref_rna": "ref", "alt_rna": "alt"}
        ),
        sequences,
        window=window,
        base_probabilities=probs,
        embedding_mode=embedding_mode,
        embedding_sink=sink,
        vis_mode=vis_mode,
        base_probability_mode=base_probability_mode,
    )
    table = variant_sets[["split", "label", "variant_id"]].merge(
        scores.drop(columns=["utr_id"]), on="variant_id"
    )
    return VariantSetScores(table, scores, variants.variant_id.tolist(), sink)
