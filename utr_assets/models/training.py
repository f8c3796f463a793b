"""The training loop: masked-LM pretraining of any family, resumable, deterministic, CPU or (multi-)GPU.

What belongs here: ``train``, the loop itself. Not here: TrainConfig, TrainResult and the family's study
settings (train_config.py), checkpoint I/O (checkpoints.py), batch plan (data.py), schedules and the
plateau rule (lr_schedule.py), plots (report.py).

Why our own loop rather than HF Trainer/accelerate: the guarantees we must show are about determinism
across a kill (the batch plan and the masks are pure functions of seed and step, the RNG is restored,
states are pickle-free and atomic) and SPEC's epoch-level plateau rule with best-validation selection;
Trainer's data-order/RNG handling on resume and its checkpoint format (pickled optimiser/RNG files)
would have to be worked around for both. Our loop is ~200 lines of plain torch: bf16 autocast on CUDA
only, gradient accumulation (no_sync on non-final micro-batches), DDP when launched by torchrun
(WORLD_SIZE > 1; nccl on CUDA, gloo on CPU), rank 0 writes, validation summed over ranks.

Step semantics: one step = one optimiser update over micro_batch_size x grad_accum_steps x world_size
chunks. A checkpoint (state + validation) is taken every ``checkpoint_every`` steps and at every epoch end.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F

from utr_assets.common import progress
from utr_assets.models.checkpoints import export_hf, latest_state, load_state, save_state
from utr_assets.models.collators import IGNORE_INDEX, generator_for
from utr_assets.models.data import BatchPlan, TokenChunks, eval_batches
from utr_assets.models.lr_schedule import lr_lambda, plateau_epoch
from utr_assets.models.train_config import (
    TrainConfig,
    TrainResult,
    family_of_model,
    parameter_groups,
    uniform_baseline,
)

VAL_SEED_OFFSET = 7_919  # validation masks: fixed per batch, different from every training step's


def _distributed(device: torch.device | str | None) -> tuple[int, int, torch.device]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        if torch.cuda.is_available():
            torch.cuda.set_device(local)
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    if world > 1:
        local = int(os.environ.get("LOCAL_RANK", "0"))
        dev = torch.device(f"cuda:{local}") if torch.cuda.is_available() else torch.device("cpu")
        return dist.get_rank(), world, dev
    return 0, 1, torch.device(device) if device is not None else torch.device("cpu")


def _loss_and_hits(
    model: Any, batch: dict[str, torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(summed CE over labelled positions, their count, correct argmax count); DSS argmax over A/C/G/T."""
    labels = batch.pop("labels")
    logits = model(**batch).logits.float()
    if logits.shape[-1] == 5:
        logits = logits[..., :4]
    flat = labels.reshape(-1)
    ce = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), flat, ignore_index=IGNORE_INDEX, reduction="sum"
    )
    picked = flat != IGNORE_INDEX
    hits = (logits.reshape(-1, logits.shape[-1]).argmax(-1)[picked] == flat[picked]).sum()
    return ce, picked.sum(), hits


def _evaluate(
    model: Any,
    collate: Any,
    chunks: TokenChunks,
    cfg: TrainConfig,
    device: torch.device,
    rank: int,
    world: int,
    autocast: bool,
) -> tuple[float, float]:
    model.eval()
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
        for b, idx in enumerate(eval_batches(len(chunks), cfg.eval_batch_size, rank, world)):
            batch = collate(
                [chunks.example(int(i)) for i in idx],
                generator=generator_for(cfg.seed, VAL_SEED_OFFSET, b * world + rank),
            )
            ce, n, hits = _loss_and_hits(model, {k: v.to(device) for k, v in batch.items()})
            totals += torch.stack([ce.double(), n.double(), hits.double()])
    if world > 1:
        dist.all_reduce(totals)
    model.train()
    ce, n, hits = totals.tolist()
    return (ce / n, hits / n) if n else (float("nan"), float("nan"))


def train(
    model: Any,
    tokenizer: Any,
    train_chunks: Any,
    val_chunks: Any,
    config: TrainConfig,
    out_dir: str | os.PathLike[str],
    device: torch.device | str | None = None,
    resume: bool = True,
    collator: Any = None,
) -> TrainResult:
    """Train ``model`` on ``train_chunks`` (see TokenChunks.of), validating on ``val_chunks``; states go to
    ``out_dir`` and the best-validation model to ``out_dir/best`` (HF directory with the tokenizer)."""
    cfg, out = config, Path(out_dir)
    rank, world, device = _distributed(device)
    train_data, val_data = TokenChunks.of(train_chunks), TokenChunks.of(val_chunks)
    if getattr(model.config, "n_species", 0) > 0:
        if train_data.species is None or val_data.species is None:
            raise ValueError("a species-aware model needs chunks with species indices (TokenChunks.species)")
    else:  # species indices of the corpus are ignored by species-agnostic models
        train_data, val_data = TokenChunks(train_data.ids), TokenChunks(val_data.ids)
    collate = collator or family_of_model(model).collator(tokenizer, seed=cfg.seed, **cfg.collator_kwargs)
    plan = BatchPlan(len(train_data), cfg.micro_batch_size, cfg.grad_accum_steps, world, cfg.seed)
    spe = plan.steps_per_epoch
    total_steps = min(cfg.max_steps or spe * cfg.max_epochs, spe * cfg.max_epochs)
    autocast = device.type == "cuda" and cfg.bf16
    model.to(device).train()
    inner = model
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device] if device.type == "cuda" else None
        )
    groups = parameter_groups(inner, cfg)
    opt_cls = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam}[cfg.optimizer]
    optimizer = opt_cls(groups, lr=cfg.lr, betas=cfg.betas, eps=cfg.eps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lr_lambda(cfg.schedule, cfg.warmup_steps, total_steps, cfg.cycle_steps)
    )

    h: dict[str, Any] = {
        "train_loss": [],
        "epoch_train_loss": [],
        "val_loss": [],
        "val_accuracy": [],
        "best": None,
        "tokens": 0,
        "seconds": 0.0,
        "epoch_sum": 0.0,
        "epoch_n": 0,
    }
    step = 0
    state = latest_state(out) if resume else None
    if state is not None:
        doc = load_state(state, inner, optimizer, scheduler)
        if doc["meta"]["config"] != cfg.fingerprint():
            raise ValueError(
                f"{state}: saved with a different TrainConfig; use resume=False or a new out_dir"
            )
        step, h = doc["step"], doc["meta"]["history"]

    def checkpoint() -> None:
        loss, acc = _evaluate(model, collate, val_data, cfg, device, rank, world, autocast)
        h["val_loss"].append((step, loss))
        h["val_accuracy"].append((step, acc))
        bar.set(val_loss=loss)
        if rank == 0:
            if h["best"] is None or loss < h["best"][1]:
                h["best"] = (step, loss, acc)
                export_hf(
                    inner,
                    tokenizer,
                    out / "best",
                    {"training_result.json": {"step": step, "val_loss": loss, "val_accuracy": acc}},
                )
            save_state(
                out,
                step,
                inner,
                optimizer,
                scheduler,
                {"config": cfg.fingerprint(), "history": h},
                keep=cfg.keep_states,
            )
        if world > 1:
            dist.barrier()

    stopped_by = "max_epochs" if total_steps == spe * cfg.max_epochs else "max_steps"
    if plateau_epoch(h["epoch_train_loss"], cfg.plateau_window, cfg.plateau_tolerance) is not None:
        stopped_by, total_steps = "plateau", step
    order_epoch, order = -1, None
    bar = progress.task("training", total=total_steps, unit="step", initial=step, enabled=rank == 0)
    while step < total_steps:
        if cfg.stop_after_steps is not None and step >= cfg.stop_after_steps:
            stopped_by = "interrupted"
            break
        epoch = step // spe
        if epoch != order_epoch:
            order_epoch, order = epoch, plan.epoch_order(epoch)
        t0, tokens_before = time.perf_counter(), h["tokens"]
        optimizer.zero_grad(set_to_none=True)
        step_loss = torch.zeros((), device=device)
        for micro in range(cfg.grad_accum_steps):
            idx = plan.micro_batch(step, micro, rank, order)
            # masks keyed by the global micro-batch slot: DDP on w ranks == one process with w x accumulation
            batch = collate(
                [train_data.example(int(i)) for i in idx],
                generator=generator_for(cfg.seed, step, micro * world + rank),
            )
            batch = {k: v.to(device) for k, v in batch.items()}
            h["tokens"] += int(batch["attention_mask"].sum()) * world
            sync = micro == cfg.grad_accum_steps - 1 or world == 1
            with (
                model.no_sync() if not sync else contextlib.nullcontext(),
                torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast),
            ):
                ce, n, _ = _loss_and_hits(model, batch)
                loss = ce / n.clamp(min=1) / cfg.grad_accum_steps
            loss.backward()
            step_loss += loss.detach()
        if cfg.max_grad_norm:
            torch.nn.utils.clip_grad_norm_(inner.parameters(), cfg.max_grad_norm)
        optimizer.step()
        scheduler.step()
        if world > 1:
            dist.all_reduce(step_loss)
            step_loss /= world
        value = float(step_loss)
        if not math.isfinite(value):
            raise FloatingPointError(f"training loss is {value} at step {step}")
        step += 1
        h["seconds"] += time.perf_counter() - t0
        h["train_loss"].append((step, value))
        bar.update(1, rates={"tokens": h["tokens"] - tokens_before}, loss=value)
        h["epoch_sum"] += value
        h["epoch_n"] += 1
        end_of_epoch = step % spe == 0
        if end_of_epoch:
            h["epoch_train_loss"].append(h["epoch_sum"] / h["epoch_n"])
            h["epoch_sum"], h["epoch_n"] = 0.0, 0
        if end_of_epoch or step == total_steps or (cfg.checkpoint_every and step % cfg.checkpoint_every == 0):
            checkpoint()
        if (
            end_of_epoch
            and plateau_epoch(h["epoch_train_loss"], cfg.plateau_window, cfg.plateau_tolerance) is not None
        ):
            stopped_by = "plateau"
            break

    bar.close()
    best = h["best"] or (step, float("nan"), float("nan"))
    epoch_losses = h["epoch_train_loss"]
    final_train = (
        epoch_losses[-1] if epoch_losses else (h["train_loss"][-1][1] if h["train_loss"] else float("nan"))
    )
    return TrainResult(
        steps=step,
        epochs=len(epoch_losses),
        tokens_per_second=h["tokens"] / h["seconds"] if h["seconds"] else 0.0,
        train_loss=[tuple(x) for x in h["train_loss"]],
        epoch_train_loss=list(epoch_losses),
        val_loss=[tuple(x) for x in h["val_loss"]],
        val_accuracy=[tuple(x) for x in h["val_accuracy"]],
        final_train_loss=final_train,
        best_val_loss=best[1],
        best_val_accuracy=best[2],
        best_step=best[0],
        uniform_baseline=uniform_baseline(inner),
        best_checkpoint=(out / "best") if h["best"] else None,
        stopped_by=stopped_by,
        parameters=sum(p.numel() for p in inner.parameters()),
    )
