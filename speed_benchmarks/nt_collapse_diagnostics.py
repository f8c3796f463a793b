"""NT-3UTR representation collapse on the sample (issue 21): standalone training runs with layer-wise readouts.

Outside the graph (no Dagster, no store writes): reads the tokenised corpus of a materialised sample store
(``STORE/handles/tokenised_corpus/nt-3utr.json``, capped like the sample profile: 4,000 training and 256
validation chunks) and its ``tables/mpra_datasets.parquet``, trains the `tiny` NT-v2 with the real loop
(utr_assets.models.train, same seed, collator and initialisation as the graph) for each variant, and
prints per variant: the validation-loss curve, the best validation loss against the unigram entropy of
the validation tokens, and for the best checkpoint the effective rank (speed_benchmarks/
representation_collapse.py) of the MPRA oligo embeddings read from every hidden state (the embedding
output, each layer's raw output, the last one after ``emb_layer_norm_after``, which is what the graph's
embeddings are), the share of the top singular value, and the grouped Ridge r on Griesemer HEK293FT
(utr_assets.evaluation.expression.mpra_metrics, ridge only). Pooling: mean over the oligo's content
tokens (no <cls>), oligos in RNA orientation; the `final_ln` row reproduces the graph's embeddings.

Variant keys: lr, warmup, steps (0 = untrained), schedule, every (validation every N steps), bias
(`unigram`: the LM-head bias initialised to the log unigram frequencies of the training tokens, the
diagnostic of "the rank drop is the model learning the token prior"), betas (e.g. 0.9/0.999), eps, clip
(max grad norm, 0 = none), stop (end after this many steps of the `steps` schedule: the state on the way;
validate at that step with `every`), init=PATH (score an existing checkpoint directory instead of training).

Measured 2026-12-03 (store of a sample run; val loss: best / at <mask> positions only; rank and top-1
variance share of the graph's embeddings (final_ln); HEK293FT Ridge r, 5 grouped folds as the sample).
Context-free reference: the training unigram on the validation tokens, 8.02-8.04 (their plug-in entropy,
7.74, is biased low). `*` = shared collator (before the NT collator drew specials too; else NT collator).
    untrained (steps=0)                         8.329 / 8.331   rank 43.4  top1 0.14  r -0.082
    lr=2e-3,warmup=10,steps=400 (old preset) *  7.892 / 7.894   rank 10.4  top1 0.90  r  0.075
    lr=2e-3,warmup=10,steps=400                 7.894 / 7.902   rank 11.9  top1 0.88  r  0.013
      the same run stopped at step 10 / 30 / 100: rank 38.6 / 31.7 / 19.4, loss 8.262 / 8.201 / 8.077
    lr=2e-3,warmup=10,steps=2000 *              7.780 / 7.815   rank 10.9  top1 0.71  r  0.138
    lr=2e-3,warmup=10,steps=400,bias=unigram *  8.013 / 8.015   rank  8.0  top1 0.95  r  0.035
    lr=2e-3,...,betas=0.9/0.999,eps=1e-8,clip=0 * 7.893 / 7.902 rank 12.1  top1 0.90  r  0.224
    lr=2e-3,warmup=40,steps=400 *               7.879 / 7.885   rank 12.3  top1 0.86  r  0.143
    lr=1e-3,warmup=40,steps=400 *               7.897 / 7.921   rank 43.0  top1 0.24  r  0.136
    lr=1e-3,warmup=40,steps=400                 7.900 / 7.922   rank 42.1  top1 0.27  r  0.115
    lr=1e-3,warmup=10,steps=400 (new preset)    7.893 / 7.913   rank 42.5  top1 0.20  r  0.135
    lr=1e-3,warmup=40,steps=2000                7.695 / 7.845   rank 45.6  top1 0.21  r  0.189
Reading: every trained model is below the context-free reference at the masked positions, so the collapse
is not an early "token prior" phase; nor is it the prior itself (the bias=unigram run starts at the prior
and collapses anyway), the warm-up or the Adam settings: it is the peak learning rate, 2e-3 against 1e-3,
and it forms in the first ~100 steps. The dominant direction follows the oligo's mean log token frequency
(|r| 0.6-0.84). Ridge r does not follow the rank (0.01-0.22 collapsed, 0.12-0.19 not: fold noise).
Each 400-step row: ~5 min of training on 2 shared cores (1 thread), scoring ~40 s.

Usage:  nice -n 10 .venv/bin/python -m speed_benchmarks.nt_collapse_diagnostics STORE OUT \\
            steps=0 lr=2e-3,warmup=10,steps=400 lr=2e-3,warmup=10,steps=400,bias=unigram ...
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from speed_benchmarks.representation_collapse import effective_rank
from utr_assets.corpus.shards import read_corpus
from utr_assets.corpus.tokeniser_loading import load_tokeniser
from utr_assets.evaluation.expression import mpra_metrics
from utr_assets.evaluation.protocol import STUDY_PROTOCOL
from utr_assets.models import train
from utr_assets.models.collators import IGNORE_INDEX, generator_for
from utr_assets.models.data import TokenChunks, eval_batches
from utr_assets.models.recipe import model_recipe
from utr_assets.models.train_config import family_of_model, train_config_for
from utr_assets.models.training import VAL_SEED_OFFSET
from utr_assets.scoring.base import oligos_in_orientation

SLUG, FAMILY, PRESET, SEED = "nt-3utr", "nt", "tiny", 0
MAX_TRAIN, MAX_VAL = 4000, 256  # the sample profile's chunk caps
N_SPECIAL_IDS = 6  # NT's <unk> <pad> <mask> <cls> <eos> <bos>
CASTS = {"lr": float, "warmup": int, "steps": int, "every": int, "eps": float, "clip": float, "stop": int}


def _parse(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in text.split(","):
        key, value = item.split("=", 1)
        if key in CASTS:
            out[key] = CASTS[key](value)
        elif key == "betas":
            out[key] = tuple(float(v) for v in value.split("/"))
        elif key in ("schedule", "bias", "init"):
            out[key] = value
        else:
            raise SystemExit(f"unknown key {key!r} in {text!r}")
    return out


def _counts(ids: pd.Series, vocab: int) -> np.ndarray:
    return np.bincount(np.concatenate([np.asarray(x) for x in ids]), minlength=vocab).astype(np.float64)


def unigram_entropy(counts: np.ndarray) -> float:
    p = counts[N_SPECIAL_IDS:]
    p = p[p > 0] / p.sum()
    return float(-(p * np.log(p)).sum())


def unigram_cross_entropy(train_counts: np.ndarray, val_counts: np.ndarray) -> float:
    """Loss of the best context-free predictor: the training tokens' unigram (add-0.5) on the validation tokens."""
    p = (train_counts + 0.5) / (train_counts + 0.5).sum()
    q = val_counts.copy()
    q[:N_SPECIAL_IDS] = 0
    return float(-(q * np.log(p)).sum() / q.sum())


def pooled_states(model: Any, tokeniser: Any, sequences: list[str]) -> dict[str, np.ndarray]:
    """Mean over content tokens of every hidden state: embeddings, layer_i (raw), final_ln (the graph's)."""
    tokens = tokeniser.encode_batch(sequences)
    prefix = list(tokeniser.prefix_ids)
    rows = [prefix + tokens.sequence(i)[0].tolist() for i in range(len(tokens))]
    width = max(len(r) for r in rows)
    pad = tokeniser.hf.pad_token_id
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    att = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)], att[i, : len(r)] = torch.tensor(r), 1
    content = att.clone()
    content[:, : len(prefix)] = 0
    captured: list[torch.Tensor] = []
    hooks = [
        layer.register_forward_hook(lambda m, i, o: captured.append(o)) for layer in model.esm.encoder.layer
    ]
    model.eval()
    with torch.no_grad():
        out = model.esm(ids, attention_mask=att, output_hidden_states=True)
    for h in hooks:
        h.remove()
    states = {"embeddings": out.hidden_states[0]}
    states |= {f"layer_{i + 1}": (o[0] if isinstance(o, tuple) else o) for i, o in enumerate(captured)}
    states["final_ln"] = out.last_hidden_state
    w = content[..., None].float()
    return {k: ((v.float() * w).sum(1) / w.sum(1)).numpy() for k, v in states.items()}


def split_validation_loss(model: Any, tokeniser: Any, val_ids: pd.DataFrame) -> dict[str, float]:
    """Validation cross-entropy as the training loop measures it (same masks), split by what the labelled
    input became: <mask> (80%: only context can beat the unigram prior), a random token (10%), kept (10%)."""
    family = family_of_model(model)
    collate = family.collator(tokeniser, seed=SEED)
    chunks = TokenChunks.of(val_ids)
    sums = {"mask": [0.0, 0], "random": [0.0, 0], "kept": [0.0, 0], "all": [0.0, 0]}
    model.eval()
    with torch.no_grad():
        for b, idx in enumerate(eval_batches(len(chunks), 32, 0, 1)):
            batch = collate(
                [chunks.example(int(i)) for i in idx], generator=generator_for(SEED, VAL_SEED_OFFSET, b)
            )
            labels = batch.pop("labels")
            logits = model(**batch).logits.float()
            ce = F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=IGNORE_INDEX, reduction="none")
            on = labels != IGNORE_INDEX
            masked = batch["input_ids"] == collate.ids.mask_id
            kept = batch["input_ids"] == labels
            for key, sel in (
                ("mask", on & masked),
                ("kept", on & kept),
                ("random", on & ~masked & ~kept),
                ("all", on),
            ):
                sums[key][0] += float(ce[sel].sum())
                sums[key][1] += int(sel.sum())
    return {f"val_{k}": round(t / n, 3) for k, (t, n) in sums.items() if n}


def hek_ridge_r(mpra: pd.DataFrame, ids: list[str], matrix: np.ndarray) -> float:
    table = mpra[mpra.study.astype(str).str.startswith("griesemer") & (mpra.cell_line == "HEK293FT")]
    protocol = dataclasses.replace(STUDY_PROTOCOL, mpra_probes=("ridge",), mpra_outer_folds=5)  # sample
    rows = mpra_metrics(SLUG, table, ids, matrix, protocol)
    return float(rows[rows.score.astype(str).str.contains("ridge")].value.iloc[0])


def run(store: Path, out: Path, text: str, data: dict[str, Any]) -> dict[str, Any]:
    v = _parse(text)
    tokeniser, train_ids, val_ids = data["tokeniser"], data["train"], data["val"]
    recipe = model_recipe(FAMILY, PRESET, tokeniser)
    model = recipe.build(seed=SEED)
    result: dict[str, Any] = {"variant": text}
    if v.get("bias") == "unigram":
        c = data["train_counts"] + 0.5
        with torch.no_grad():
            model.lm_head.bias.copy_(torch.from_numpy(np.log(c / c.sum())).float())
    if "init" in v:
        model = type(model).from_pretrained(v["init"])
    elif v.get("steps", 0) > 0:
        overrides: dict[str, Any] = {"max_steps": v["steps"], "max_epochs": 10_000, "micro_batch_size": 16}
        overrides["checkpoint_every"] = v.get("every", 50)
        overrides["plateau_window"] = 10**6  # the curve, not the stopping rule
        for key, field in (("lr", "lr"), ("warmup", "warmup_steps"), ("schedule", "schedule")):
            if key in v:
                overrides[field] = v[key]
        for key in ("betas", "eps"):
            if key in v:
                overrides[key] = v[key]
        if "stop" in v:  # stop (as if killed) after this many steps of the `steps` schedule
            overrides["stop_after_steps"] = v["stop"]
        if "clip" in v:
            overrides["max_grad_norm"] = v["clip"] or None
        cfg = train_config_for(FAMILY, PRESET, seed=SEED, **overrides)
        run_dir = out / text.replace(",", "_").replace("=", "-").replace("/", "_")
        started = time.monotonic()
        res = train(model, tokeniser, train_ids, val_ids, cfg, run_dir, device="cpu", resume=False)
        result["train_s"] = round(time.monotonic() - started, 1)
        result["best_step"], result["best_val_loss"] = res.best_step, round(res.best_val_loss, 3)
        result["curve"] = " ".join(f"{s}:{loss:.3f}" for s, loss in res.val_loss)
        model = type(model).from_pretrained(res.best_checkpoint)
    result |= split_validation_loss(model, tokeniser, val_ids)
    ids, seqs = data["oligos"]
    for name, matrix in pooled_states(model, tokeniser, seqs).items():
        s = np.linalg.svd(matrix - matrix.mean(0), compute_uv=False)
        result[f"rank_{name}"] = round(effective_rank(matrix), 1)
        result[f"top1_{name}"] = round(float(s[0] ** 2 / (s**2).sum()), 2)
        if (
            name == "final_ln"
        ):  # what the dominant direction encodes: G+C content? the tokens' mean log prior?
            centred = matrix - matrix.mean(0)
            # the rank once every dimension has unit variance (as the Ridge probe standardises them)
            result["zrank_final_ln"] = round(effective_rank(centred / (centred.std(0) + 1e-12)), 1)
            pc1 = centred @ np.linalg.svd(centred, full_matrices=False)[2][0]
            result["pc1_gc_r"] = round(abs(float(np.corrcoef(pc1, data["gc"])[0, 1])), 2)
            result["pc1_logprior_r"] = round(abs(float(np.corrcoef(pc1, data["mean_log_prior"])[0, 1])), 2)
        if name in ("final_ln", "layer_2", "layer_1"):
            result[f"r_{name}"] = round(hek_ridge_r(data["mpra"], ids, matrix), 3)
    return result


def load(store: Path) -> dict[str, Any]:
    handle = json.loads((store / "handles" / "tokenised_corpus" / f"{SLUG}.json").read_text())
    tokeniser = load_tokeniser(handle["tokenizer"]["uri"])
    train_ids = read_corpus([h["uri"] for h in handle["train"]], ["input_ids", "species_index"]).head(
        MAX_TRAIN
    )
    val_ids = read_corpus([h["uri"] for h in handle["validation"]], ["input_ids", "species_index"]).head(
        MAX_VAL
    )
    vocab = handle["vocab_size"]
    mpra = pd.read_parquet(store / "tables" / "mpra_datasets.parquet")
    oligos = mpra.drop_duplicates("oligo_id")
    seqs = oligos_in_orientation(oligos.sequence.tolist(), oligos.strand.tolist(), "rna")
    gc = np.array([(q.upper().count("G") + q.upper().count("C")) / max(len(q), 1) for q in seqs])
    val_counts = _counts(val_ids.input_ids, vocab)
    train_counts = _counts(train_ids.input_ids, vocab)
    log_prior = np.log((train_counts + 0.5) / (train_counts + 0.5).sum())
    tokens = tokeniser.encode_batch(seqs)
    mean_log_prior = np.array([log_prior[tokens.sequence(i)[0]].mean() for i in range(len(tokens))])
    return {
        "tokeniser": tokeniser,
        "train": train_ids,
        "val": val_ids,
        "train_counts": train_counts,
        "val_entropy": unigram_entropy(val_counts),
        "val_unigram_xent": unigram_cross_entropy(train_counts, val_counts),
        "mpra": mpra,
        "oligos": (oligos.oligo_id.tolist(), seqs),
        "gc": gc,
        "mean_log_prior": mean_log_prior,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("variants", nargs="+")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = load(args.store)
    print(
        f"validation tokens: unigram entropy {data['val_entropy']:.3f} nats, cross-entropy of the training"
        f" unigram {data['val_unigram_xent']:.3f}",
        flush=True,
    )
    rows = []
    for text in args.variants:
        rows.append(run(args.store, args.out, text, data))
        print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows).drop(columns=["curve"], errors="ignore")
    print(table.to_string(index=False))
    print(
        f"unigram entropy {data['val_entropy']:.3f}; training unigram on validation {data['val_unigram_xent']:.3f};"
        f" uniform {math.log(len(data['tokeniser'].hf)):.3f}"
    )


if __name__ == "__main__":
    main()
