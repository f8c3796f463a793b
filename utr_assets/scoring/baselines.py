"""Baselines as scorers (docs/protocol.md §4-5): Zoo-AL column frequencies, PhyloP and CADD per-base tracks, k-mer
counts and the Griesemer 58 features.

What belongs here: adapting alignment tables, genome tracks and sequence features to the Scorer
interface, one factory per baseline family (named by its description in utr_assets/families/baselines.py).
Not here: reading the source files (utr_assets.tasks.readers.tracks) or computing the features
(utr_assets.scoring.sequence_features), which are reused.

Conventions:
- Zoo-AL: ``utr3_alignments`` rows (utr_id, aligned) in RNA orientation, human length, '-' = gap.
  P[i] = frequencies of A/C/G/T (U counts as T) in column i over all rows, human included, gaps and N
  ignored, renormalised by the EPS rule. A column with no A/C/G/T in any row, or a UTR with no
  alignment rows, is a NaN row (documented; no information is not "uniform").
- PhyloP / CADD: per-base values over the UTR in RNA orientation (genome positions from `UtrIndex`:
  0-based, blocks, strand), NaN where the track has no value. CADD per position = max RawScore over
  the three alternatives (the RBP task); a variant's CADD score is its own allele's RawScore, joined on
  chrom, pos, ref, alt (``CaddScorer.allele_scores``). PhyloP is wiggle or bigWig (told apart by the
  file's first bytes, read over the UTR blocks only: ``sources_tracks.read_wiggle``).
- k-mer counts / Griesemer: "embeddings" = the feature vectors (hidden_size = 4**k or 58).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from utr_assets.common.sequences import complement
from utr_assets.families import FAMILIES
from utr_assets.scoring.base import (
    ALLELE_SCORES,
    EMBEDDINGS,
    PROBABILITIES,
    SITE_SCORES,
    ScorerBase,
    ScoringError,
    renormalise,
    require_ids,
)
from utr_assets.scoring.sequence_features import griesemer_features, kmer_count_features
from utr_assets.tasks.readers.tracks import ConservationTrack, cadd_position_max, read_wiggle
from utr_assets.tasks.utr_coords import UtrIndex, normalise_chrom, parse_blocks

_COLUMN_CODE = np.full(256, -1, dtype=np.int8)
for _b, _c in {"A": 0, "C": 1, "G": 2, "T": 3, "U": 3}.items():
    _COLUMN_CODE[ord(_b)] = _COLUMN_CODE[ord(_b.lower())] = _c


def column_frequencies(rows: Sequence[str]) -> np.ndarray:
    """(L, 4) ACGT frequencies of aligned rows of equal length; NaN rows where no row has a base."""
    if not rows:
        raise ValueError("no aligned rows")
    codes = _COLUMN_CODE[np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8).reshape(len(rows), -1)]
    counts = np.stack([(codes == b).sum(axis=0) for b in range(4)], axis=1).astype(np.float64)
    out = renormalise(counts)
    out[counts.sum(axis=1) == 0] = np.nan
    return out


class ZooAlScorer(ScorerBase):
    capabilities = frozenset({PROBABILITIES})
    needs_ids = True

    def __init__(self, alignments: pd.DataFrame, name: str = "zoo-al"):
        missing = {"utr_id", "aligned"} - set(alignments.columns)
        if missing:
            raise ScoringError(f"{name}: alignments lack columns {sorted(missing)}")
        self.name = name
        self._rows = alignments.groupby("utr_id", sort=False)["aligned"].agg(list).to_dict()

    def base_probabilities(
        self, sequences: Sequence[str], ids: Sequence[str] | None = None
    ) -> list[np.ndarray]:
        out = []
        for seq, utr in zip(sequences, require_ids(self.name, sequences, ids), strict=True):
            rows = self._rows.get(utr)
            if not rows:
                out.append(np.full((len(seq), 4), np.nan, dtype=np.float32))
                continue
            if any(len(r) != len(seq) for r in rows):
                raise ScoringError(f"{self.name}: {utr}: aligned rows are not the UTR length {len(seq)}")
            out.append(column_frequencies(rows))
        return out


class TrackScorer(ScorerBase):
    """Per-base values of a genome track (PhyloP, CADD) over 3'UTRs."""

    capabilities = frozenset({SITE_SCORES})
    needs_ids = True

    def __init__(self, track: ConservationTrack, regions: pd.DataFrame, name: str):
        self.name, self.track, self.index = name, track, UtrIndex(regions)

    def site_scores(self, sequences: Sequence[str], ids: Sequence[str] | None = None) -> list[np.ndarray]:
        out = []
        for seq, utr in zip(sequences, require_ids(self.name, sequences, ids), strict=True):
            if utr not in self.index.regions.index:
                out.append(np.full(len(seq), np.nan))
                continue
            values = self.track.utr_values(self.index, utr)
            if len(values) != len(seq):
                raise ScoringError(
                    f"{self.name}: {utr}: track covers {len(values)} bases, sequence has {len(seq)}"
                )
            out.append(values)
        return out


def utr_spans(regions: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(chrom, start0, end0) of every UTR block: the regions to read from genome-wide tracks."""
    return [
        (str(r.chrom), s, e)
        for r in regions.itertuples(index=False)
        for s, e in parse_blocks(getattr(r, "blocks", ""), r.start, r.end)
    ]


def phylop_track(source: Any, regions: pd.DataFrame) -> ConservationTrack:
    if isinstance(source, ConservationTrack):
        return source
    return read_wiggle(Path(source), regions=utr_spans(regions))  # wiggle or bigWig (by its magic)


def cadd_track(scores: pd.DataFrame) -> ConservationTrack:
    """CADD scores (read_cadd_scores: chrom, pos 1-based, raw_score) or per-position maxima -> track."""
    table = scores if "raw_score_max" in scores.columns else cadd_position_max(scores)
    data = {}
    for chrom, group in table.groupby("chrom", sort=False):
        group = group.sort_values("pos")
        data[str(chrom)] = (group["pos"].to_numpy(np.int64) - 1, group["raw_score_max"].to_numpy(np.float64))
    return ConservationTrack(data)


_ALLELE_CODE = {"A": 0, "C": 1, "G": 2, "T": 3}


def _allele_keys(pos: np.ndarray, ref: Sequence[str], alt: Sequence[str]) -> np.ndarray:
    """One int64 per (1-based pos, ref, alt); -1 where an allele is not a single A/C/G/T."""
    r = np.array([_ALLELE_CODE.get(x, -1) for x in ref], dtype=np.int64)
    a = np.array([_ALLELE_CODE.get(x, -1) for x in alt], dtype=np.int64)
    return np.where((r >= 0) & (a >= 0), np.asarray(pos, dtype=np.int64) * 16 + r * 4 + a, -1)


class CaddScorer(TrackScorer):
    """CADD: per-position maxima as site scores (the RBP task) and, given the allele table (chrom, pos,
    ref, alt, raw_score), each SNV's own RawScore as its variant score, joined on chrom, pos, ref and alt
    (study: variant_effect/analysis/add_model_scores.ipynb merges CADD.3utr.snps.scores on those columns).
    A table of per-position maxima only gives no allele scores (variants then get the maximum)."""

    def __init__(self, scores: pd.DataFrame, regions: pd.DataFrame, name: str):
        super().__init__(cadd_track(scores), regions, name)
        self._alleles: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if {"ref", "alt", "raw_score"} <= set(scores.columns):
            self.capabilities = frozenset({SITE_SCORES, ALLELE_SCORES})
            for chrom, g in scores.groupby("chrom", sort=False):
                keys = _allele_keys(
                    g["pos"].to_numpy(), g["ref"].str.upper().tolist(), g["alt"].str.upper().tolist()
                )
                order = np.argsort(keys, kind="stable")
                self._alleles[str(chrom)] = (keys[order], g["raw_score"].to_numpy(np.float64)[order])

    def allele_scores(
        self, ids: Sequence[str], offsets: Sequence[int], refs: Sequence[str], alts: Sequence[str]
    ) -> np.ndarray:
        """RawScore of each SNV given in RNA orientation (UTR offset, alleles); NaN where CADD has none."""
        if ALLELE_SCORES not in self.capabilities:
            raise self._refuse(ALLELE_SCORES)
        out = np.full(len(ids), np.nan)
        positions: dict[str, np.ndarray] = {}
        for i, (utr, v, r, a) in enumerate(zip(ids, offsets, refs, alts, strict=True)):
            if utr not in self.index.regions.index:
                continue
            if utr not in positions:
                positions[utr] = self.index.genome_positions(utr)
            region = self.index.regions.loc[utr]
            minus = str(region["strand"]) == "-"
            chrom = normalise_chrom(str(region["chrom"]), self._alleles)
            if chrom not in self._alleles:
                continue
            key = _allele_keys(
                np.array([positions[utr][int(v)] + 1]),
                [complement(r.upper()) if minus else r.upper()],
                [complement(a.upper()) if minus else a.upper()],
            )[0]
            keys, values = self._alleles[chrom]
            k = int(np.searchsorted(keys, key))
            if key >= 0 and k < len(keys) and keys[k] == key:
                out[i] = values[k]
        return out


class FeatureScorer(ScorerBase):
    """Sequence features as embeddings (one vector per sequence)."""

    capabilities = frozenset({EMBEDDINGS})

    def __init__(self, name: str, features: Callable[[Sequence[str]], np.ndarray], width: int):
        self.name, self._features, self.hidden_size = name, features, width

    def embeddings(self, sequences: Sequence[str], mode: str = "mean_chunks") -> np.ndarray:
        out = np.asarray(self._features(list(sequences)), dtype=np.float32)
        if out.shape != (len(sequences), self.hidden_size):
            raise ScoringError(
                f"{self.name}: features of shape {out.shape}, expected ({len(sequences)}, {self.hidden_size})"
            )
        return out


def _need(name: str, family: str, value: Any, what: str) -> Any:
    if value is None:
        raise ScoringError(f"{name}: the {family} baseline needs {what}")
    return value


def zoo_al_scorer(name: str, *, alignments: pd.DataFrame | None = None, **_inputs: Any) -> ScorerBase:
    return ZooAlScorer(_need(name, "zoo_al", alignments, "alignments (utr3_alignments)"), name)


def phylop_scorer(
    name: str, *, regions: pd.DataFrame | None = None, phylop: Any = None, **_inputs: Any
) -> ScorerBase:
    regions = _need(name, "phylop", regions, "regions (utr3_regions)")
    track = phylop_track(_need(name, "phylop", phylop, "phylop (a wiggle/bigWig path)"), regions)
    return TrackScorer(track, regions, name)


def cadd_scorer(
    name: str, *, regions: pd.DataFrame | None = None, cadd: pd.DataFrame | None = None, **_inputs: Any
) -> ScorerBase:
    scores = _need(name, "cadd", cadd, "cadd (a CADD score table)")
    return CaddScorer(scores, _need(name, "cadd", regions, "regions"), name)


def kmer_scorer(name: str, *, kmer_k: int = 5, **_inputs: Any) -> ScorerBase:
    return FeatureScorer(name, lambda s: kmer_count_features(s, kmer_k), 4**kmer_k)


def griesemer_scorer(name: str, **_inputs: Any) -> ScorerBase:
    return FeatureScorer(name, griesemer_features, 58)


BASELINE_INPUTS = frozenset({"regions", "alignments", "phylop", "cadd", "kmer_k"})


def baseline_scorer(family: str, *, name: str | None = None, **inputs: Any) -> ScorerBase:
    """The scorer of a baseline family (registry: zoo_al, phylop, cadd, kmer, griesemer: its description's
    ``scorer``). ``inputs``: any of regions, alignments, phylop, cadd, kmer_k; each factory takes the ones
    its family lists in ``scorer_inputs`` and ignores the others."""
    name = name or family
    unknown = set(inputs) - BASELINE_INPUTS
    if unknown:
        raise TypeError(
            f"baseline_scorer: unknown input(s) {sorted(unknown)}; known: {sorted(BASELINE_INPUTS)}"
        )
    fam = FAMILIES.get(family)
    if fam is None or fam.scorer is None:
        raise ScoringError(f"{name}: {family!r} is not a baseline family")
    return fam.baseline_scorer()(name, **inputs)
