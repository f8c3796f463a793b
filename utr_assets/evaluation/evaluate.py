"""One model on one task: from its scoring outputs to tidy metric rows (METRIC_COLUMNS + status,
reason, probability_mode) and ROC curve points (ROC_COLUMNS). The entry points the Dagster assets call.

What belongs here: nothing but the four task entry points and the protocol, gathered under one name
(`evaluate.rbp_motif_metrics(...)`). Each task's rules live in its own module: `rbp_motifs` (task 1),
`variant_effects` (task 2), `expression` (tasks 3 and 4); the protocol options and the row format in
`protocol`. Not here: the formulas (`metrics`), the probes (`probes`), the Dagster glue
(`utr_assets.assets.evaluation`), the stacking over models (`leaderboard`).

Conventions: per-base arrays are keyed by utr_id, RNA orientation; probabilities (L, 4) ACGT, site
scores (L,). Embedding matrices come with their row ids. Rows whose features are not finite (a
sequence shorter than k, no content token) are dropped from the probes and counted in n_dropped.
``probability_mode`` names the mode of the model probabilities a row's score came from (masked |
unmasked | reference_aware; "" for embeddings, probes and non-model scores).
"""

from __future__ import annotations

from utr_assets.evaluation.expression import half_life_metrics, mpra_metrics
from utr_assets.evaluation.protocol import STUDY_PROTOCOL, TASK_COLUMNS, Protocol, not_applicable
from utr_assets.evaluation.rbp_motifs import rbp_motif_metrics
from utr_assets.evaluation.variant_effects import ZERO_SHOT_SCORES, variant_effect_metrics

__all__ = [
    "STUDY_PROTOCOL",
    "TASK_COLUMNS",
    "ZERO_SHOT_SCORES",
    "Protocol",
    "half_life_metrics",
    "mpra_metrics",
    "not_applicable",
    "rbp_motif_metrics",
    "variant_effect_metrics",
]
