"""Variant scores for SNVs in 3'UTRs (docs/protocol.md §4): pref, palt_inv, pratio, VIS, embedding distances, losses.

What belongs here: the score formulas and `score_variants`, which runs a scorer on reference and
alternative windows. Not here: choosing variants (utr_assets.tasks.variants).

Conventions: a variant's position is 0-based within its 3'UTR in RNA orientation and ref/alt are RNA
orientation bases. Input columns: ``utr_offset``, ``ref_rna``, ``alt_rna`` (the task_variants table;
its ``pos`` is 1-based VCF and is then ignored), else ``pos``, ``ref``, ``alt`` taken as 0-based/RNA.
Windows: ``window`` bases centred on v (v at index window // 2), shifted to stay inside the UTR; the
whole UTR when shorter. pref/palt_inv/pratio read P of ``base_probabilities``, the stored whole-UTR
array (as the study), when given, else of the reference window. DNA-orientation models read the same
stored array, mirrored (`orient_variants`). VIS = mean over positions j != v of the window of
dep_j = max_b |logit2(P_ref[j, b]) - logit2(P_alt[j, b])|, logit2(p) = log2(p + eps) - log2(1 - p + eps);
``vis_r{R}`` restricts the mean to 0 < |j - v| <= R. Distances between the ref and alt window
embeddings: l1, l2 (Euclidean), dot (a.b), cosine (the cosine similarity a.b / (|a| |b|), as the study).
loss_diff = loss_alt - loss_ref. Probability modes (lm.PROBABILITY_MODES): VIS reads the windows in
``vis_mode``; the string columns ``allele_probability_mode`` and ``vis_probability_mode`` record the mode
behind pref/palt_inv/pratio and behind VIS ("" where no model probabilities were used).
A column whose capability the scorer lacks is NaN; so is VIS for scorers of whole UTRs (Zoo-AL).
``site_score`` = the per-base score at v (PhyloP), or the variant's own allele score where the scorer has
one (CADD RawScore joined on chrom, pos, ref, alt, as the study's variant_effect/analysis/add_model_scores.ipynb).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from utr_assets.common import progress
from utr_assets.common.sequences import COMPLEMENT_TABLE
from utr_assets.scoring.base import (
    ALLELE_SCORES,
    EMBEDDINGS,
    EPS,
    LOSS,
    PROBABILITIES,
    SITE_SCORES,
    Scorer,
    ScoringError,
    probabilities_to_rna,
    to_model_orientation,
)

SCORE_COLUMNS = [
    "pref",
    "palt_inv",
    "pratio",
    "vis",
    "l1",
    "l2",
    "dot",
    "cosine",
    "loss_ref",
    "loss_alt",
    "loss_diff",
    "site_score",
]
MODE_COLUMNS = ["allele_probability_mode", "vis_probability_mode"]
VIS_RADII = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)
_ACGT = {b: i for i, b in enumerate("ACGT")}


def allele_scores(probs: np.ndarray, v: int, ref: str, alt: str) -> tuple[float, float, float]:
    """(pref, palt_inv, pratio) = (log P[v, ref], -log P[v, alt], their sum); natural log."""
    pref = float(np.log(probs[v, _ACGT[ref]]))
    palt_inv = float(-np.log(probs[v, _ACGT[alt]]))
    return pref, palt_inv, pref + palt_inv


def logit2(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return np.log2(p + EPS) - np.log2(1.0 - p + EPS)


def dependency(p_ref: np.ndarray, p_alt: np.ndarray, v: int) -> np.ndarray:
    """dep_j = max_b |logit2(P_ref[j, b]) - logit2(P_alt[j, b])| per window position; NaN at v."""
    dep = np.abs(logit2(p_ref) - logit2(p_alt)).max(axis=1)
    dep[v] = np.nan
    return dep


def vis_scores(dep: np.ndarray, v: int, radii: Sequence[int] = VIS_RADII) -> dict[str, float]:
    """{'vis': mean over the window, 'vis_r{R}': mean over 0 < |j - v| <= R} (NaN positions ignored)."""

    def mean(x: np.ndarray) -> float:
        return float(np.nanmean(x)) if np.isfinite(x).any() else np.nan

    out = {"vis": mean(dep)}
    for r in radii:
        out[f"vis_r{r}"] = mean(dep[max(v - r, 0) : v + r + 1])
    return out


def embedding_distances(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Row-wise l1 and l2 distances, dot product and cosine similarity of (n, h) embeddings."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    diff = a - b
    dot = (a * b).sum(axis=1)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = dot / norms
    return {"l1": np.abs(diff).sum(axis=1), "l2": np.linalg.norm(diff, axis=1), "dot": dot, "cosine": cosine}


def window_bounds(length: int, v: int, window: int) -> tuple[int, int]:
    """[start, end) of ``window`` bases centred on v (v at window // 2), shifted to fit in [0, length)."""
    if length <= window:
        return 0, length
    start = min(max(v - window // 2, 0), length - window)
    return start, start + window


def _columns(variants: pd.DataFrame) -> tuple[str, str, str]:
    if {"utr_offset", "ref_rna", "alt_rna"} <= set(variants.columns):
        return "utr_offset", "ref_rna", "alt_rna"
    if {"pos", "ref", "alt"} <= set(variants.columns):
        return "pos", "ref", "alt"
    raise ScoringError("variants need utr_id with utr_offset/ref_rna/alt_rna (or pos/ref/alt, 0-based RNA)")


def score_variants(
    scorer: Scorer,
    variants: pd.DataFrame,
    sequences: Mapping[str, str],
    *,
    window: int = 4096,
    radii: Sequence[int] = VIS_RADII,
    base_probabilities: Mapping[str, np.ndarray] | None = None,
    embedding_mode: str = "mean_chunks",
    batch_size: int = 64,
    embedding_sink: dict[str, np.ndarray] | None = None,
    vis_mode: str | None = None,
    base_probability_mode: str = "",
) -> pd.DataFrame:
    """One row per variant (input order): its id columns, SCORE_COLUMNS, vis_r{R} for R <= window // 2 and
    MODE_COLUMNS.

    ``vis_mode``: the probability mode of the ref/alt windows (None: the scorer's own);
    ``base_probability_mode``: the mode ``base_probabilities`` were computed in (recorded only).

    ``embedding_sink``: when given and the scorer embeds sequences, receives "ref" and "alt", the (n, h)
    embeddings of the reference and alternative windows in input order (the MLP probe's features).
    """
    pos_col, ref_col, alt_col = _columns(variants)
    radii = [r for r in radii if r <= window // 2]
    caps = scorer.capabilities
    keep = [c for c in ("variant_id", "utr_id") if c in variants.columns]
    out = variants[keep].reset_index(drop=True).copy()
    out["offset"] = variants[pos_col].to_numpy(np.int64)
    scores = np.full((len(variants), len(SCORE_COLUMNS) + len(radii)), np.nan)
    col = {c: i for i, c in enumerate([*SCORE_COLUMNS, *(f"vis_r{r}" for r in radii)])}
    utrs, vs = variants["utr_id"].astype(str).to_list(), out["offset"].to_list()
    refs = variants[ref_col].str.upper().to_list()
    alts = variants[alt_col].str.upper().to_list()
    for i, (u, v, r, a) in enumerate(zip(utrs, vs, refs, alts, strict=True)):
        seq = sequences.get(u)
        if seq is None or not 0 <= v < len(seq) or seq[v].upper() != r or a not in _ACGT or r not in _ACGT:
            raise ScoringError(f"variant {i} ({u}:{v} {r}>{a}): not an ACGT SNV matching its 3'UTR sequence")

    if scorer.needs_ids:  # whole-UTR scorers: per-base values at v only
        unique = sorted(set(utrs))
        seqs = [sequences[u] for u in unique]
        probs = (
            dict(zip(unique, scorer.base_probabilities(seqs, unique), strict=True))
            if PROBABILITIES in caps
            else {}
        )
        site = dict(zip(unique, scorer.site_scores(seqs, unique), strict=True)) if SITE_SCORES in caps else {}
        for i, (u, v, r, a) in enumerate(zip(utrs, vs, refs, alts, strict=True)):
            if u in probs:
                scores[i, :3] = allele_scores(probs[u], v, r, a)
            if u in site:
                scores[i, col["site_score"]] = site[u][v]
        if ALLELE_SCORES in caps:  # allele-specific (CADD), not the per-position maximum
            scores[:, col["site_score"]] = scorer.allele_scores(utrs, vs, refs, alts)
        return _table(out, scores, col, [""] * len(utrs), "")

    window_mode = ""
    if PROBABILITIES in caps:
        own_mode: str = getattr(scorer, "probability_mode", "")  # LanguageModelScorer's; others have none
        window_mode = vis_mode or own_mode
    allele_mode = [""] * len(utrs)

    bar = progress.task("variant scoring", len(variants), "variant")
    for lo in range(0, len(variants), batch_size):
        idx = range(lo, min(lo + batch_size, len(variants)))
        bar.update(len(idx))  # counted as the batch starts: the ETA then includes the batch under way
        bounds = [window_bounds(len(sequences[utrs[i]]), vs[i], window) for i in idx]
        ref_w = [sequences[utrs[i]][s:e] for i, (s, e) in zip(idx, bounds, strict=True)]
        vw = [vs[i] - s for i, (s, _) in zip(idx, bounds, strict=True)]
        alt_w = [w[:x] + alts[i] + w[x + 1 :] for i, w, x in zip(idx, ref_w, vw, strict=True)]
        if PROBABILITIES in caps:
            unique = sorted(set(ref_w))
            p_unique = dict(zip(unique, _window_probabilities(scorer, unique, vis_mode), strict=True))
            p_alt = _window_probabilities(scorer, alt_w, vis_mode)
            for k, i in enumerate(idx):
                p_ref = p_unique[ref_w[k]]
                full = base_probabilities.get(utrs[i]) if base_probabilities is not None else None
                scores[i, :3] = (
                    allele_scores(full, vs[i], refs[i], alts[i])
                    if full is not None
                    else allele_scores(p_ref, vw[k], refs[i], alts[i])
                )
                allele_mode[i] = base_probability_mode if full is not None else window_mode
                for name, value in vis_scores(dependency(p_ref, p_alt[k], vw[k]), vw[k], radii).items():
                    scores[i, col[name]] = value
        # LanguageModelScorer reads embeddings and loss off one forward pass; other scorers have no such method
        both_at_once = getattr(scorer, "embeddings_and_loss", None)
        if both_at_once is not None and EMBEDDINGS in caps and LOSS in caps:
            e_ref, l_ref = both_at_once(ref_w, embedding_mode)
            e_alt, l_alt = both_at_once(alt_w, embedding_mode)
        else:
            e_ref = scorer.embeddings(ref_w, embedding_mode) if EMBEDDINGS in caps else None
            e_alt = scorer.embeddings(alt_w, embedding_mode) if EMBEDDINGS in caps else None
            l_ref = scorer.reconstruction_loss(ref_w) if LOSS in caps else None
            l_alt = scorer.reconstruction_loss(alt_w) if LOSS in caps else None
        rows = np.asarray(list(idx))
        if e_ref is not None and e_alt is not None and embedding_sink is not None:
            for side, emb in (("ref", e_ref), ("alt", e_alt)):
                if side not in embedding_sink:
                    embedding_sink[side] = np.full((len(variants), emb.shape[1]), np.nan, dtype=np.float32)
                embedding_sink[side][rows] = emb
        if e_ref is not None and e_alt is not None:
            for name, distances in embedding_distances(e_ref, e_alt).items():
                scores[rows, col[name]] = distances
        if l_ref is not None and l_alt is not None:
            scores[rows, col["loss_ref"]], scores[rows, col["loss_alt"]] = l_ref, l_alt
            scores[rows, col["loss_diff"]] = l_alt - l_ref
    bar.close()
    return _table(out, scores, col, allele_mode, window_mode)


def _window_probabilities(scorer: Scorer, windows: list[str], mode: str | None) -> list[np.ndarray]:
    if mode is None:
        return scorer.base_probabilities(windows)
    return scorer.base_probabilities(windows, mode=mode)  # type: ignore[call-arg]  # LanguageModelScorer


def _table(
    out: pd.DataFrame, scores: np.ndarray, col: dict[str, int], allele_mode: list[str], vis_mode: str
) -> pd.DataFrame:
    table = pd.concat([out, pd.DataFrame(scores, columns=list(col))], axis=1)
    has_vis = np.isfinite(scores[:, col["vis"]])
    return table.assign(
        allele_probability_mode=allele_mode, vis_probability_mode=np.where(has_vis, vis_mode, "")
    )


def orient_variants(
    variants: pd.DataFrame,
    regions: pd.DataFrame,
    orientation: str,
    base_probabilities: Mapping[str, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, dict[str, str], dict[str, np.ndarray] | None]:
    """(variants, sequences, stored whole-UTR probabilities) as a model of ``orientation`` reads them.

    ``variants``: utr_id, pos (0-based, RNA orientation), ref_rna, alt_rna; ``regions``: utr_id, strand,
    sequence (RNA orientation); ``base_probabilities``: utr_id -> (L, 4) in RNA orientation (only the UTRs
    of ``variants`` are returned; `probabilities_to_rna` is its own inverse, so it also mirrors to DNA). In DNA
    orientation a minus-strand UTR is read backwards: position L-1-pos, alleles and sequence complemented,
    probabilities mirrored, so pref/palt_inv read the stored whole-UTR value at the same base (study:
    add_model_scores.ipynb reads human_3utr/probs for every model).
    """
    strands = dict(zip(regions.utr_id, regions.strand, strict=True))
    seqs = dict(zip(regions.utr_id, regions.sequence, strict=True))
    sequences = {u: to_model_orientation(s, strands[u], orientation) for u, s in seqs.items()}
    used = set(variants.utr_id) & set(base_probabilities or ())  # mirror only what the variants read
    probs = (
        None
        if base_probabilities is None
        else {u: probabilities_to_rna(base_probabilities[u], strands[u], orientation) for u in used}
    )
    if orientation != "dna":
        return variants, sequences, probs
    out = variants.copy()
    minus = (out.utr_id.map(strands) == "-").to_numpy()
    lengths = out.utr_id.map(lambda u: len(seqs[u])).to_numpy(np.int64)
    out.loc[minus, "pos"] = lengths[minus] - 1 - out.loc[minus, "pos"].to_numpy(np.int64)
    for c in ("ref_rna", "alt_rna"):
        out.loc[minus, c] = out.loc[minus, c].str.translate(COMPLEMENT_TABLE)
    return out, sequences, probs
