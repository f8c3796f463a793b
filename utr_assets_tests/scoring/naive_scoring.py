"""The straightforward per-base scoring loop: one masked copy at a time, batch 1, written from the docs/protocol.md §4
definitions with Python lists and token strings. It is the exactness reference of the unit tests and the
baseline of the scoring benchmark; it shares no code with `marginals.py` or `runner.py`.

What belongs here: `naive_base_probabilities` only. Chunk choice follows the documented rule (the chunk
containing the masked tokens with the largest margin to its edges; first on ties). In the scorer's
``unmasked`` and ``reference_aware`` modes the same chunk is run with nothing masked.
"""

from __future__ import annotations

import numpy as np
import torch

from utr_assets.corpus.chunking import window_starts
from utr_assets.scoring.base import EPS
from utr_assets.scoring.lm import LanguageModelScorer


def _windows(n_tokens: int, size: int, overlap: int) -> list[tuple[int, int]]:
    _, starts = window_starts([n_tokens], size, overlap)
    return [(int(s), min(int(s) + size, n_tokens)) for s in starts]


def _best_window(windows: list[tuple[int, int]], lo: int, hi: int) -> tuple[int, int]:
    best, margin = None, -1
    for s, e in windows:
        m = min(lo - s, e - 1 - hi)
        if m >= 0 and m > margin:
            best, margin = (s, e), m
    assert best is not None
    return best


def _probs(scorer: LanguageModelScorer, ids: list[int]) -> np.ndarray:
    kwargs = {}
    if scorer.io.species_index is not None:
        kwargs["species_ids"] = torch.tensor([scorer.io.species_index], device=scorer.device)
    with torch.inference_mode(), scorer.io.context():
        logits = scorer.model(input_ids=torch.tensor([ids], device=scorer.device), **kwargs).logits
    return torch.softmax(logits[0].float(), dim=-1).double().cpu().numpy()


def _acgt(mass: list[float]) -> list[float]:
    total = sum(mass)
    return [(m + EPS) / (total + 4 * EPS) for m in mass]


def naive_base_probabilities(
    scorer: LanguageModelScorer, sequence: str, stride: int = 50, max_positions: int | None = None
) -> np.ndarray:
    """(L, 4) ACGT probabilities of one sequence by the definition, one forward pass per masked copy.
    ``max_positions`` stops after that many positions (dnabert, dss) or tokens (nt); the rest stay NaN."""
    tok, fam = scorer.tokeniser, scorer.family
    strings = [str(t) for t in tok.token_strings]
    pre, suf = list(tok.prefix_ids), list(tok.suffix_ids)
    size = scorer.spec.context - len(pre) - len(suf)
    mask_id = scorer.io.mask_id
    ids = [int(x) for x in tok.encode_batch([sequence]).ids]
    spans = tok.encode_batch([sequence])
    starts, ends = [int(x) for x in spans.starts], [int(x) for x in spans.ends]
    windows = _windows(len(ids), size, scorer.spec.overlap) if ids else []
    out = np.full((len(sequence), 4), np.nan)
    k = tok.k
    unmasked = scorer.probability_mode != "masked"  # unmasked / reference_aware: nothing is masked

    def run(s: int, e: int, masked: set[int]) -> np.ndarray:
        content = [mask_id if t in masked and not unmasked else ids[t] for t in range(s, e)]
        return _probs(scorer, pre + content + suf)

    # ids of the k-mers with base b at offset j, read from the token strings
    with_base = (
        {
            (j, b): [v for v, w in enumerate(strings) if len(w) == k and set(w) <= set("ACGT") and w[j] == b]
            for j in range(k)
            for b in "ACGT"
        }
        if fam in ("dnabert", "nt")
        else {}
    )

    def kmer_sum(p: np.ndarray, offset: int) -> list[float]:
        return [float(p[with_base[offset, b]].sum()) for b in "ACGT"]

    if fam == "dnabert":
        L, T = len(sequence), len(ids)
        for i in range(min(L, max_positions or L) if T else 0):
            lo, hi = max(0, i - 5), min(i, T - 1)
            if i < 5:  # the study's ends: one span of the first / last 6 tokens
                lo, hi = 0, min(5, T - 1)
            elif i >= L - 5:
                lo, hi = max(0, T - 6), T - 1
            t = 0 if i < 5 else (T - 1 if i >= L - 5 else i - 3)
            s, e = _best_window(windows, lo, hi)
            p = run(s, e, set(range(lo, hi + 1)))[len(pre) + t - s]
            out[i] = _acgt(kmer_sum(p, i - t))
    elif fam == "nt":
        reference = scorer.probability_mode == "reference_aware"
        for t in range(min(len(ids), max_positions or len(ids))):
            s, e = _best_window(windows, t, t)
            p = run(s, e, {t})[len(pre) + t - s]
            for i in range(starts[t], ends[t]):
                if ends[t] - starts[t] != k:
                    mass = [p[strings.index(b)] for b in "ACGT"]
                elif reference:
                    word = strings[ids[t]]
                    j = i - starts[t]
                    mass = [p[strings.index(word[:j] + b + word[j + 1 :])] for b in "ACGT"]
                else:
                    mass = kmer_sum(p, i - starts[t])
                out[i] = _acgt(mass)
    elif fam == "dss":
        copies: dict[tuple[int, int], np.ndarray] = {}  # one pass per masked copy, read at all its positions
        for i in range(min(len(ids), max_positions or len(ids))):
            s, e = _best_window(windows, i, i)
            q = (i - s) % stride
            q = 0 if unmasked else q
            if (s, q) not in copies:
                copies[s, q] = run(s, e, set(range(s + q, e, stride)))
            p = copies[s, q][i - s]
            out[i] = _acgt([p[strings.index(b)] for b in "ACGT"])
    else:
        raise ValueError(f"no per-base probabilities for the {fam} tokenisation")
    return out.astype(np.float32)
