"""VIS window probabilities per probability mode: forward passes and wall time for ref/alt window pairs,
masked marginals (our old rule) against the study's modes (NT: one reference-aware unmasked pass per
chunk; state-space and any model: unmasked), and unmasked + reference_aware from shared passes against
the two computed one after the other.

Usage: python -m speed_benchmarks.vis_modes [--families nt dnabert dss] [--preset tiny] [--paper-context]
       [--window 4096] [--pairs 1] [--max-tokens 65536] [--device cpu] [--out results.json]
Random weights (the cost does not depend on them). ``--paper-context`` gives the preset the paper's
context (NT 1,024 tokens, DNABERT 512, state-space 5,000 nt), so the pass counts are the paper's
whatever the model width. One table row per (family, mode): passes (masked copies or unmasked chunk
passes) per ref/alt pair, seconds per pair, and both as ratios to the masked row of the same run.

Measured 2026-12-02 on the 2-core development machine, shared with other jobs (wall times are noisy;
the pass counts are exact), tiny presets with the paper context, one 4,096-nt pair:
  python -m speed_benchmarks.vis_modes --families nt --preset tiny --paper-context
    nt   masked 1,372 passes 107 s; unmasked 2 passes 4.8 s (22x); reference_aware 2 passes 4.3 s (25x);
         unmasked + reference_aware from shared passes 5.7 s, 1.6x faster than the two in turn, equal output
  python -m speed_benchmarks.vis_modes --families dss --preset tiny --paper-context
    dss  masked (rolling stride 50) 100 passes 27.9 s; unmasked 2 passes 2.7 s (10x)
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from utr_assets.corpus import build_tokeniser
from utr_assets.families import family as family_for
from utr_assets.scoring.lm import LanguageModelScorer

PAPER_CONTEXT = {
    "nt": {"max_position_embeddings": 1024},
    "dnabert": {"max_position_embeddings": 512},
    "dss": {"chunk_length": 5000},
}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _pairs(n: int, window: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        ref = "".join(rng.choice(list("ACGT"), window))
        v = window // 2
        out += [ref, ref[:v] + "ACGT"[("ACGT".index(ref[v]) + 1) % 4] + ref[v + 1 :]]
    return out


def _timed(device: torch.device, fn) -> tuple[float, object]:
    _sync(device)
    t0 = time.perf_counter()
    result = fn()
    _sync(device)
    return time.perf_counter() - t0, result


def bench(
    family: str,
    preset: str,
    paper_context: bool,
    window: int,
    n_pairs: int,
    max_tokens: int,
    device: torch.device,
) -> list[dict]:
    torch.manual_seed(0)
    tok = build_tokeniser(family)
    module = family_for(family)
    overrides = PAPER_CONTEXT[family] if paper_context else {}
    model = module.build_model(
        module.build_config(preset, vocab_size=5 if family == "dss" else tok.vocab_size, **overrides)
    )
    scorer = LanguageModelScorer(model, tok, name=family, device=device, max_tokens=max_tokens)
    windows = _pairs(n_pairs, window)
    scorer.base_probabilities([windows[0][:200]])  # warm-up
    modes = ["masked", "unmasked"] + (["reference_aware"] if family == "nt" else [])
    rows, results = [], {}
    for mode in modes:
        seconds, results[mode] = _timed(device, lambda m=mode: scorer.base_probabilities(windows, mode=m))
        rows.append(
            {
                "family": family,
                "mode": mode,
                "passes_per_pair": scorer.plan(windows, mode).n_copies / n_pairs,
                "seconds_per_pair": seconds / n_pairs,
            }
        )
    if family == "nt":
        seconds, shared = _timed(device, lambda: scorer.base_probabilities_modes(windows, modes[1:]))
        same = all(
            np.array_equal(a, b) for m in modes[1:] for a, b in zip(shared[m], results[m], strict=True)
        )
        separate = sum(r["seconds_per_pair"] for r in rows if r["mode"] in modes[1:])
        rows.append(
            {
                "family": family,
                "mode": "unmasked+reference_aware shared",
                "seconds_per_pair": seconds / n_pairs,
                "passes_per_pair": scorer.plan(windows, "unmasked").n_copies / n_pairs,
                "vs_separate": round(separate / (seconds / n_pairs), 2),
                "equal_to_separate": same,
            }
        )
    base = rows[0]
    for r in rows:
        r["pass_ratio_vs_masked"] = round(base["passes_per_pair"] / r["passes_per_pair"], 1)
        r["speedup_vs_masked"] = round(base["seconds_per_pair"] / r["seconds_per_pair"], 1)
        r["seconds_per_pair"] = round(r["seconds_per_pair"], 4)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="+", default=["nt", "dnabert", "dss"])
    ap.add_argument("--preset", default="tiny")
    ap.add_argument("--paper-context", action="store_true")
    ap.add_argument("--window", type=int, default=4096)
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--max-tokens", type=int, default=65536)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--out")
    args = ap.parse_args()
    rows = [
        r
        for family in args.families
        for r in bench(
            family,
            args.preset,
            args.paper_context,
            args.window,
            args.pairs,
            args.max_tokens,
            torch.device(args.device),
        )
    ]
    cols = [
        "family",
        "mode",
        "passes_per_pair",
        "pass_ratio_vs_masked",
        "seconds_per_pair",
        "speedup_vs_masked",
    ]
    print(" | ".join(cols))
    for r in rows:
        print(
            " | ".join(str(r.get(c, "")) for c in cols)
            + (
                f" (shared vs separate: {r['vs_separate']}x, equal: {r['equal_to_separate']})"
                if "vs_separate" in r
                else ""
            )
        )
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
