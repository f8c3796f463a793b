"""Per-base values of every human 3'UTR for one model: what the `utr3_base_probabilities` asset computes.

What belongs here: which per-base output a scorer gives (ACGT probabilities, else site scores), the UTRs
in the model's orientation, one shard's bytes (probabilities mirrored back to RNA orientation; the
probability mode recorded), and the checks of the stored result, reading the family's description
(``min_scored_length``, ``nan_rows_allowed``). Not here: the asset and the artifact store
(utr_assets/assets/scoring.py), the shard format (storage.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from utr_assets.families import Family
from utr_assets.scoring import storage
from utr_assets.scoring.base import (
    PROBABILITIES,
    SITE_SCORES,
    Scorer,
    probabilities_to_rna,
    to_model_orientation,
)
from utr_assets.scoring.checks import check_probabilities


def per_base_kind(capabilities: frozenset[str]) -> str | None:
    """PROBABILITIES where the scorer gives them, else SITE_SCORES (PhyloP, CADD), else None."""
    for kind in (PROBABILITIES, SITE_SCORES):
        if kind in capabilities:
            return kind
    return None


@dataclass(frozen=True)
class PerBaseJob:
    """The per-base scoring of ``regions`` (utr_id, strand, sequence in RNA orientation) by ``scorer``."""

    scorer: Scorer
    kind: str
    orientation: str
    ids: list[str]
    strands: list[str]
    rna: list[str]  # sequences in RNA orientation (site scores read these)
    model: list[str]  # sequences in the model's orientation (probabilities read these)

    @classmethod
    def of(cls, scorer: Scorer, kind: str, regions: pd.DataFrame, orientation: str) -> PerBaseJob:
        regions = regions.reset_index(drop=True)
        ids, strands, rna = regions.utr_id.tolist(), regions.strand.tolist(), regions.sequence.tolist()
        model = [to_model_orientation(s, st, orientation) for s, st in zip(rna, strands, strict=True)]
        return cls(scorer, kind, orientation, ids, strands, rna, model)

    @property
    def mode(self) -> str:
        """The probability mode recorded with the shards ("" for site scores: not a model's)."""
        return getattr(self.scorer, "probability_mode", "") if self.kind == PROBABILITIES else ""

    def arrays(self, part: slice) -> list[np.ndarray]:
        """Per-base arrays of the UTRs in ``part``, RNA orientation."""
        if self.kind != PROBABILITIES:
            return self.scorer.site_scores(self.rna[part], self.ids[part])
        arrays = self.scorer.base_probabilities(self.model[part], self.ids[part])
        return [
            probabilities_to_rna(a, strand, self.orientation)
            for a, strand in zip(arrays, self.strands[part], strict=True)
        ]

    def shard(self, part: slice, progress: Callable[[int, int], None] | None = None) -> bytes:
        """One shard's bytes; ``progress(sequences, positions)`` is told what was done."""
        arrays = self.arrays(part)
        if progress is not None:
            progress(len(arrays), sum(len(a) for a in arrays))
        return storage.per_base_bytes(self.ids[part], arrays, probability_mode=self.mode)


def per_base_checks(
    arrays: Mapping[str, np.ndarray], job: PerBaseJob, family: Family
) -> list[tuple[str, bool, dict]]:
    """(check name, passed, metadata) of probabilities_valid and one_row_per_utr."""
    sequences = dict(zip(job.ids, job.rna, strict=True))
    if job.kind == PROBABILITIES:
        result = check_probabilities(
            arrays, sequences, min_length=family.min_scored_length, nan_rows_allowed=family.nan_rows_allowed
        )
        valid = ("probabilities_valid", result.passed, result.metadata)
    else:
        lengths_ok = all(arrays[u].shape[0] == len(s) for u, s in sequences.items())
        valid = ("probabilities_valid", lengths_ok, {"kind": job.kind})
    rows = ("one_row_per_utr", sorted(arrays) == sorted(job.ids), {"rows": len(arrays), "utrs": len(job.ids)})
    return [valid, rows]
