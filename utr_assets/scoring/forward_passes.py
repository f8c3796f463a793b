"""Running masked-copy plans and unmasked chunk passes through a masked LM, batched: torch lives here.

What belongs here: building padded input batches from a `MaskPlan` or a `ChunkBatch`, the forward
passes (bf16 autocast on CUDA), reading out per-base probabilities, masked-mean embeddings and
per-token losses. Not here: the plans (`marginals.py`) or the scorer API (`lm.py`).

Batching: copies are grouped by chunk, chunks are visited longest first, and a batch holds as many
copies as fit in ``max_tokens`` (rows x padded length). Padding is right-padding with the pad id and
attention_mask 0, so a copy's output does not depend on its batch neighbours (up to float rounding).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from utr_assets.common import progress
from utr_assets.corpus.chunking import ChunkBatch
from utr_assets.corpus.kmers import ragged_arange
from utr_assets.scoring.base import renormalise
from utr_assets.scoring.marginals import SUBSTITUTE, MaskPlan


@dataclass(frozen=True)
class ModelIO:
    """How to call one model: special ids, species index (species-aware DSS) and precision."""

    pad_id: int
    mask_id: int
    device: torch.device
    species_index: int | None = None
    max_tokens: int = 8192
    autocast: bool = True  # bf16 autocast on CUDA only
    # False for models whose outputs depend on right padding (dss: LayerNorm turns zeroed padding into
    # its bias, which the FFT and conv layers carry into real positions): batches then hold one length.
    mixed_lengths: bool = True

    def context(self) -> contextlib.AbstractContextManager:
        if self.autocast and self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()


def _padded_chunks(chunks: ChunkBatch, rows: np.ndarray, pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, attention) of chunks ``rows``, right-padded to the longest."""
    lens = np.diff(chunks.offsets)[rows]
    width = int(lens.max())
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    att = np.arange(width)[None, :] < lens[:, None]
    src = chunks.offsets[rows][:, None] + np.arange(width)[None, :]
    ids[att] = chunks.ids[src[att]]
    return ids, att


def forward(
    model: torch.nn.Module, io: ModelIO, ids: np.ndarray, att: np.ndarray, hidden: bool = False
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(logits in the model's output dtype, last hidden layer float32 or None) of one padded batch; callers
    cast to float32 after gathering what they need (full float32 logits are B x L x V x 4 bytes)."""
    kwargs = {}
    if io.species_index is not None:
        kwargs["species_ids"] = torch.full((len(ids),), io.species_index, dtype=torch.long, device=io.device)
    with torch.inference_mode(), io.context():
        out = model(
            input_ids=torch.from_numpy(ids).to(io.device),
            attention_mask=torch.from_numpy(att.astype(np.int64)).to(io.device),
            output_hidden_states=hidden,
            **kwargs,
        )
    h = out.hidden_states[-1].float() if hidden else None
    return out.logits, h


def position_wise_head(model: torch.nn.Module) -> tuple[torch.nn.Module, torch.nn.Module] | None:
    """(encoder, LM head) of masked LMs whose head acts on each position alone (BERT, ESM), else None.

    With them, logits are computed only at the readout columns: the head (hidden x vocab, 4,101 k-mers)
    is most of the cost of a tiny model, and B x L x V logits most of the memory of any model.
    """
    from transformers import BertForMaskedLM, EsmForMaskedLM

    encoder_and_head = getattr(model, "encoder_and_head", None)
    if callable(encoder_and_head):  # our native classes (models/*_modeling.py)
        return encoder_and_head()
    if isinstance(model, BertForMaskedLM):
        return model.bert, model.cls
    if isinstance(model, EsmForMaskedLM):
        return model.esm, model.lm_head
    return None


def logits_at(
    model: torch.nn.Module, io: ModelIO, ids: np.ndarray, att: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> torch.Tensor:
    """Logits (len(rows), V) at (rows[i], cols[i]) of one padded batch, equal to forward()'s gathered."""
    split = position_wise_head(model) if io.species_index is None else None
    if split is None:
        logits, _ = forward(model, io, ids, att)
        return logits[torch.from_numpy(rows).to(logits.device), torch.from_numpy(cols).to(logits.device)]
    encoder, head = split
    with torch.inference_mode(), io.context():
        h = encoder(
            input_ids=torch.from_numpy(ids).to(io.device),
            attention_mask=torch.from_numpy(att.astype(np.int64)).to(io.device),
        )[0]
        return head(h[torch.from_numpy(rows).to(h.device), torch.from_numpy(cols).to(h.device)])


def _batches(lengths: np.ndarray, max_tokens: int, mixed: bool = True) -> Iterator[tuple[int, int]]:
    """Consecutive [lo, hi) runs with (hi - lo) * max(length) <= max_tokens (at least one item); with
    ``mixed`` False a run never spans two lengths."""
    lo = 0
    while lo < len(lengths):
        hi, width = lo + 1, int(lengths[lo])
        while (
            hi < len(lengths)
            and (hi - lo + 1) * max(width, int(lengths[hi])) <= max_tokens
            and (mixed or lengths[hi] == width)
        ):
            width = max(width, int(lengths[hi]))
            hi += 1
        yield lo, hi
        lo = hi


def run_plan(
    model: torch.nn.Module,
    io: ModelIO,
    plan: MaskPlan,
    table: np.ndarray,
    substitution: np.ndarray | None = None,
) -> np.ndarray:
    """(R, 4) ACGT probabilities of every readout of ``plan`` (renormalised, float32)."""
    return run_plan_modes(model, io, plan, table, substitution, (plan.mode,))[plan.mode]


def run_plan_modes(
    model: torch.nn.Module,
    io: ModelIO,
    plan: MaskPlan,
    table: np.ndarray,
    substitution: np.ndarray | None,
    readouts: tuple[str, ...],
) -> dict[str, np.ndarray]:
    """Readout -> (R, 4) probabilities of ``plan``'s readouts, each reduction (MARGINAL: k-mer sums,
    SUBSTITUTE: substituted tokens) read from the same forward passes."""
    outs = {m: np.empty((len(plan.r_copy), 4), dtype=np.float32) for m in readouts}
    chunk_len = np.diff(plan.chunks.offsets)
    # visit chunks longest first (less padding per batch); copies of one chunk stay together
    order = np.argsort(-chunk_len[plan.copy_chunk], kind="stable")
    r_bounds = np.searchsorted(plan.r_copy, np.arange(plan.n_copies + 1))
    for lo, hi in _batches(chunk_len[plan.copy_chunk[order]], io.max_tokens, io.mixed_lengths):
        copies = order[lo:hi]
        ids, att = _padded_chunks(plan.chunks, plan.copy_chunk[copies], io.pad_id)
        # content index of every column; masked where lo <= c <= hi and (c - lo) % step == 0
        c = np.arange(ids.shape[1])[None, :] - plan.n_prefix
        mlo, mhi, step = (a[copies][:, None] for a in (plan.mask_lo, plan.mask_hi, plan.mask_step))
        masked = att & (c >= mlo) & (c <= mhi) & ((c - mlo) % step == 0)
        ids[masked] = io.mask_id
        counts = r_bounds[copies + 1] - r_bounds[copies]
        r = ragged_arange(r_bounds[copies], counts).astype(np.int64)
        row_of_r = np.repeat(np.arange(len(copies)), counts)
        picked = logits_at(model, io, ids, att, row_of_r, plan.r_col[r].astype(np.int64))
        logp = torch.log_softmax(picked.float(), dim=-1)
        probs = logp.exp().double().cpu().numpy()
        for m, out in outs.items():
            out[r] = _reduce(probs, plan, r, table[: picked.shape[-1]], substitution, m)
    return outs


def _reduce(
    probs: np.ndarray,
    plan: MaskPlan,
    r: np.ndarray,
    table: np.ndarray,
    substitution: np.ndarray | None,
    mode: str,
) -> np.ndarray:
    mass = np.empty((len(r), 4), dtype=np.float64)
    slots = plan.r_slot[r]
    if mode == SUBSTITUTE:
        assert substitution is not None
        alt_ids = substitution[plan.r_ref_id[r], slots]  # (n, 4) token ids
        mass[:] = np.take_along_axis(probs, alt_ids, axis=1)
    else:
        for s in np.unique(slots):
            sel = slots == s
            mass[sel] = probs[sel] @ table[:, s, :].astype(np.float64)
    return renormalise(mass)


def run_chunks(
    model: torch.nn.Module, io: ModelIO, chunks: ChunkBatch, content: np.ndarray, target_ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unmasked passes over every chunk.

    ``content`` (total tokens,) marks the real tokens of each chunk (not specials); ``target_ok`` marks the
    tokens whose reconstruction loss counts. Returns (per-chunk masked-mean last hidden layer (n_chunks, H),
    per-token loss (total tokens,) NaN where not counted, per-chunk number of real tokens).
    """
    lens = np.diff(chunks.offsets)
    order = np.argsort(-lens, kind="stable")
    emb: np.ndarray | None = None
    loss = np.full(len(chunks.ids), np.nan, dtype=np.float64)
    n_real = np.zeros(len(chunks), dtype=np.int64)
    bar = progress.task("forward passes", len(chunks), "chunk")
    for lo, hi in _batches(lens[order], io.max_tokens, io.mixed_lengths):
        rows = order[lo:hi]
        bar.update(len(rows), rates={"tokens": int(lens[rows].sum())})
        ids, att = _padded_chunks(chunks, rows, io.pad_id)
        width = ids.shape[1]
        flat = chunks.offsets[rows][:, None] + np.arange(width)[None, :]
        real = att & content[np.where(att, flat, 0)]
        logits, h = forward(model, io, ids, att, hidden=True)
        assert h is not None
        if emb is None:
            emb = np.full((len(chunks), h.shape[-1]), np.nan, dtype=np.float32)
        w = torch.from_numpy(real).to(h.device, h.dtype)[..., None]
        n = w.sum(dim=1)
        emb[rows] = (torch.where(n > 0, (h * w).sum(dim=1) / n.clamp(min=1), torch.nan)).cpu().numpy()
        n_real[rows] = real.sum(axis=1)
        ok = real & target_ok[np.where(att, flat, 0)]
        tgt = torch.from_numpy(np.where(ok, ids, 0)).to(logits.device)
        nll = -torch.log_softmax(logits.float(), dim=-1).gather(-1, tgt[..., None])[..., 0]
        loss[flat[ok]] = nll.cpu().numpy()[ok]
    bar.close()
    if emb is None:
        emb = np.zeros((0, 0), dtype=np.float32)
    return emb, loss, n_real
