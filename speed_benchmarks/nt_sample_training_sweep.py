"""NT-3UTR on the sample: training settings against representation collapse (issue 21), through the graph.

For each variant (learning rate, warm-up, steps of the `tiny` preset) the script trains nt-3utr (or
--model SLUG, e.g. dnabert2-3utr) in the
sample graph (one store; the corpus and tasks are built once), rebuilds its MPRA embeddings and metrics,
and prints one row: best validation loss against the unigram entropy of the validation tokens, the
effective rank of the MPRA oligo embeddings and the grouped Ridge r on HEK293FT
(speed_benchmarks/representation_collapse.py), and the seconds training took. The variant `lr=0` is the
untrained model (same seed, same initialisation), the reference for "collapse".

Usage:  .venv/bin/python -m benchmarks.nt_sample_training_sweep HOME lr=0,steps=1 lr=2e-3,warmup=10,steps=400 ...
(HOME: a scratch folder; keys: lr, warmup, steps, schedule). In-process: the variant patches the family's
training["tiny"] (its description in utr_assets.families, e.g. nt for nt-3utr) for its run only.

Measured 2026-12-02 (sample, 2 shared cores; val loss / effective rank / HEK293FT Ridge r; RBP motif AUC
"all" from rbp_motif_metrics on the same checkpoints): nt-3utr untrained 8.329 / 43.4 / -0.082;
lr 2e-3 + 10 warm-up (the tiny preset) 7.892 / 10.4 / 0.075, AUC 0.580; lr 5e-3 + 40: 7.896 / 7.7 / -0.013;
lr 1e-3 + 40: 7.897 / 43.0 / 0.136, AUC 0.552; unigram entropy of the validation tokens 7.841 nats.
dnabert2-3utr untrained 5.551 / 56.5 / 0.550; 150 steps (preset) 4.801 / 49.4 / 0.556 (unigram 4.927).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from dagster import DagsterInstance

from speed_benchmarks.representation_collapse import row
from utr_assets.definitions import build_definitions
from utr_assets.families import FAMILIES as FAMILY_REGISTRY
from utr_assets.platform.materialise import materialise_asset
from utr_assets.settings import load_settings

SLUG = "nt-3utr"
FAMILIES = {"nt-3utr": "nt", "dnabert2-3utr": "dnabert2", "dnabert-3utr": "dnabert"}
KEYS = {"lr": ("lr", float), "warmup": ("warmup_steps", int), "schedule": ("schedule", str)}


def _parse(text: str) -> tuple[dict, int | None]:
    preset, steps = {}, None
    for item in text.split(","):
        key, value = item.split("=", 1)
        if key == "steps":
            steps = int(value)
        elif key in KEYS:
            preset[KEYS[key][0]] = KEYS[key][1](value)
        else:
            raise SystemExit(f"unknown key {key!r} in {text!r}; keys: steps, {', '.join(KEYS)}")
    return preset, steps


def unigram_entropy(store: Path, slug: str = SLUG) -> float:
    """Entropy (nats) of the token distribution of a model's validation chunks (ids 0-5 excluded: NT's
    specials; the others' specials come first too, and five or six ids hardly move the figure)."""
    handle = json.loads((store / "handles" / "tokenised_corpus" / f"{slug}.json").read_text())
    counts: dict[int, int] = {}
    for shard in handle["validation"]:
        for ids in pd.read_parquet(shard["uri"])["input_ids"]:
            values, n = np.unique(np.asarray(ids), return_counts=True)
            for v, c in zip(values.tolist(), n.tolist(), strict=True):
                if v > 5:  # <unk> <pad> <mask> <cls> <eos> <bos>
                    counts[v] = counts.get(v, 0) + c
    p = np.array(list(counts.values()), dtype=np.float64)
    p /= p.sum()
    return float(-(p * np.log(p)).sum())


def run_variant(home: Path, text: str, instance: DagsterInstance, slug: str = SLUG) -> dict:
    preset, steps = _parse(text)
    family = FAMILIES[slug]
    described = FAMILY_REGISTRY[family]
    store = home / "store"
    override = home / "override.yaml"
    override.write_text(
        f"storage:\n  root: {store}\ncompute:\n  device: cpu\n"
        + (f"training:\n  families:\n    {family}: {{max_steps: {steps}}}\n" if steps else "")
    )
    for name in ("model_checkpoint", "mpra_embeddings"):
        (store / "handles" / name / f"{slug}.json").unlink(missing_ok=True)
    tiny = {**described.training_defaults("tiny"), **preset}
    FAMILY_REGISTRY[family] = dataclasses.replace(described, training={**described.training, "tiny": tiny})
    defs, log = build_definitions(load_settings("sample", override)), []
    try:
        started = time.monotonic()
        ok = materialise_asset("mpra_metrics", slug, defs, log=log.append, instance=instance)
        if not ok and (store / "handles" / "model_checkpoint" / f"{slug}.json").exists():
            # a model that does not beat the uniform baseline (the untrained one) fails that blocking check;
            # its checkpoint is written, so the second run scores it
            ok = materialise_asset("mpra_metrics", slug, defs, log=log.append, instance=instance)
        seconds = time.monotonic() - started
    finally:
        FAMILY_REGISTRY[family] = described
    if not ok:
        print("\n".join(line for line in log if "FAILED" in line or "check failed" in line))
        return {"model": slug, "variant": text, "status": "FAILED"}
    checkpoint = json.loads((store / "handles" / "model_checkpoint" / f"{slug}.json").read_text())
    out = row(store, slug)
    return {
        "model": slug,
        "variant": text,
        "best_val_loss": round(checkpoint.get("best_val_loss", math.nan), 3),
        "effective_rank": out["effective_rank"],
        "ridge_r_HEK293FT": out.get("ridge_r_HEK293FT"),
        "seconds_with_scoring": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--model", default=SLUG, choices=sorted(FAMILIES))
    args = parser.parse_args()
    instance = DagsterInstance.ephemeral()
    rows = []
    for text in args.variants:
        rows.append(run_variant(args.home, text, instance, args.model))
        print(pd.DataFrame(rows).to_string(index=False), flush=True)
    entropy = unigram_entropy(args.home / "store", args.model)
    print(f"unigram entropy of {args.model}'s validation tokens: {entropy:.3f} nats")


if __name__ == "__main__":
    main()
