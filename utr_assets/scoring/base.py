"""The scorer interface shared by language models and baselines, and the conventions of its outputs.

What belongs here: the `Scorer` protocol, capability names, the ACGT renormalisation rule, orientation
helpers and the errors scorers raise. Not here: any model or baseline (`lm.py`, `baselines.py`).

Conventions (docs/protocol.md §4):
- Per-base probabilities are float32 arrays (L, 4) over A, C, G, T (columns in that order), one per
  input sequence, position 0 = first base of the sequence as given (RNA orientation for 3'UTRs).
- Renormalisation over ACGT: P[b] = (s[b] + EPS) / (sum(s) + 4 EPS), EPS = 1e-14, so every finite row
  sums to 1 and log P is finite.
- NaN rows are documented per scorer: k-mer models give NaN for a sequence shorter than k (no token);
  Zoo-AL gives NaN for a column with no A/C/G/T in any row.
- Per-base scores (PhyloP, CADD) are float arrays (L,), NaN where the track has no value.
- Embeddings are (n, hidden_size) float32; a sequence without any content token is a NaN row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from utr_assets.common.sequences import reverse_complement

EPS = 1e-14
BASES = "ACGT"
PROBABILITIES = "probabilities"  # base_probabilities(): (L, 4) per sequence
EMBEDDINGS = "embeddings"  # embeddings(): (n, hidden_size)
LOSS = "loss"  # reconstruction_loss(): (n,)
SITE_SCORES = "site_scores"  # site_scores(): (L,) per sequence, e.g. PhyloP; higher = more conserved
ALLELE_SCORES = "allele_scores"  # allele_scores(): one score per SNV (utr_id, offset, ref, alt), e.g. CADD
CAPABILITIES = frozenset({PROBABILITIES, EMBEDDINGS, LOSS, SITE_SCORES, ALLELE_SCORES})


class ScoringError(ValueError):
    """A scorer cannot produce what was asked (missing capability, missing ids, bad input)."""


class UnsafeCheckpointError(ScoringError):
    """A checkpoint that only offers pickle weights (pytorch_model.bin, *.pt): refused."""


@runtime_checkable
class Scorer(Protocol):
    """What every scorer offers; a method outside ``capabilities`` raises ScoringError.

    ``ids`` names the sequences (utr_id): scorers that read per-UTR data (Zoo-AL, PhyloP, CADD) need
    them and check that each sequence length equals their UTR length; models ignore them.
    """

    name: str
    capabilities: frozenset[str]
    hidden_size: int | None
    needs_ids: bool

    def base_probabilities(
        self, sequences: Sequence[str], ids: Sequence[str] | None = None
    ) -> list[np.ndarray]: ...

    def site_scores(self, sequences: Sequence[str], ids: Sequence[str] | None = None) -> list[np.ndarray]: ...

    def embeddings(self, sequences: Sequence[str], mode: str = "mean_chunks") -> np.ndarray: ...

    def reconstruction_loss(self, sequences: Sequence[str]) -> np.ndarray: ...

    def allele_scores(
        self, ids: Sequence[str], offsets: Sequence[int], refs: Sequence[str], alts: Sequence[str]
    ) -> np.ndarray: ...


class ScorerBase:
    """Defaults that raise for every capability; subclasses override what they support."""

    name: str = "scorer"
    capabilities: frozenset[str] = frozenset()
    hidden_size: int | None = None
    needs_ids: bool = False  # reads per-UTR data: scores whole UTRs by utr_id, not arbitrary windows

    def _refuse(self, capability: str) -> ScoringError:
        return ScoringError(f"{self.name}: no {capability!r} capability (has {sorted(self.capabilities)})")

    def base_probabilities(
        self, sequences: Sequence[str], ids: Sequence[str] | None = None
    ) -> list[np.ndarray]:
        raise self._refuse(PROBABILITIES)

    def site_scores(self, sequences: Sequence[str], ids: Sequence[str] | None = None) -> list[np.ndarray]:
        raise self._refuse(SITE_SCORES)

    def embeddings(self, sequences: Sequence[str], mode: str = "mean_chunks") -> np.ndarray:
        raise self._refuse(EMBEDDINGS)

    def reconstruction_loss(self, sequences: Sequence[str]) -> np.ndarray:
        raise self._refuse(LOSS)

    def allele_scores(
        self, ids: Sequence[str], offsets: Sequence[int], refs: Sequence[str], alts: Sequence[str]
    ) -> np.ndarray:
        """Per SNV (RNA-orientation offset and alleles in its 3'UTR): the score of that very allele."""
        raise self._refuse(ALLELE_SCORES)


def renormalise(mass: np.ndarray) -> np.ndarray:
    """(..., 4) non-negative masses over ACGT -> probabilities by the EPS rule above (float32)."""
    mass = np.asarray(mass, dtype=np.float64)
    return ((mass + EPS) / (mass.sum(axis=-1, keepdims=True) + 4 * EPS)).astype(np.float32)


def require_ids(name: str, sequences: Sequence[str], ids: Sequence[str] | None) -> list[str]:
    if ids is None or len(ids) != len(sequences):
        raise ScoringError(f"{name} reads per-UTR data: pass ids (utr_id) of the same length as sequences")
    return list(ids)


def to_model_orientation(sequence: str, strand: str, orientation: str) -> str:
    """A 3'UTR given in RNA orientation, as a model of ``orientation`` ('rna' or 'dna') reads it.

    DNA orientation = genome + strand: minus-strand UTRs are reverse-complemented.
    """
    if orientation == "dna" and strand == "-":
        return reverse_complement(sequence)
    return sequence


def oligos_in_orientation(
    sequences: Sequence[str], strands: Sequence[str | None], orientation: str
) -> list[str]:
    """MPRA oligos (RNA orientation) as a model of ``orientation`` reads them: a DNA-orientation model gets
    minus-strand oligos reverse-complemented, as the study's `variants_dna_fwd.fa`. An oligo without a
    strand cannot be put on the genome's + strand: an error for a DNA-orientation model."""
    if orientation != "dna":
        return list(sequences)
    placed = [st for st in strands if st in ("+", "-")]
    missing = len(strands) - len(placed)
    if missing:
        raise ScoringError(
            f"{missing} of {len(strands)} MPRA oligos have no genomic strand, so a DNA-orientation "
            "model cannot read them on the + strand: give the table's strand column or place "
            "the oligos in utr3_regions (mpra_datasets)"
        )
    return [to_model_orientation(s, st, "dna") for s, st in zip(sequences, placed, strict=True)]


def probabilities_to_rna(probs: np.ndarray, strand: str, orientation: str) -> np.ndarray:
    """Inverse of `to_model_orientation` for (L, 4) ACGT probabilities: reverse rows, complement columns
    (complement of A C G T is T G C A, i.e. the columns reversed)."""
    if orientation == "dna" and strand == "-":
        return np.ascontiguousarray(probs[::-1, ::-1])
    return probs
