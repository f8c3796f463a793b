"""DNABERT-2 family (docs/protocol.md §3): BPE tokens, the published DNABERT-2 architecture (ALiBi attention, gated-linear-
unit FFN, post-LayerNorm, unpadded semantics: our native Dnabert2ForMaskedLM in dnabert2_modeling.py), 15% token
masking.

What belongs here: presets, config/model builders, collator choice, the study's optimiser settings.
Paper preset: 12 x 768, 12 heads, GLU intermediate 3072, vocab 4,096, 2 token types -> 117,074,176
parameters, the count of zhihan1996/DNABERT-2-117M built from its config with the publisher's code.
"""

from __future__ import annotations

from typing import Any

from transformers import PretrainedConfig, PreTrainedModel

from utr_assets.models import dnabert_import
from utr_assets.models.collators import SpecialIds, TokenMaskingCollator
from utr_assets.models.dnabert2_modeling import MODEL_TYPE as MODEL_TYPE
from utr_assets.models.dnabert2_modeling import Dnabert2Config, Dnabert2ForMaskedLM

NAME = "dnabert2"
VOCAB_SIZE = 4096
PRESETS: dict[str, dict[str, Any]] = {
    "tiny": dict(
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=128,
        hidden_dropout_prob=0.0,
    ),
    # the published config (dropout 0.1, attention dropout 0, 2 token types); context 1,024 tokens (ALiBi)
    "paper": dict(
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=1024,
        hidden_dropout_prob=0.1,
        type_vocab_size=2,
    ),
}
PAPER_PARAMETERS = 117_074_176
IMPORT = dnabert_import.DNABERT2  # `utr-assets models import --family dnabert2` (DNABERT-2-117M)
TRAINING: dict[str, dict[str, Any]] = {
    "tiny": dict(
        optimizer="adamw",
        lr=2e-3,
        weight_decay=0.01,
        schedule="linear",
        warmup_steps=10,
        micro_batch_size=16,
        max_epochs=20,
    ),
    # effective batch 4,480 chunks on one GPU (16 x 280); divide grad_accum_steps by the GPU count
    "paper": dict(
        optimizer="adamw",
        lr=5e-4,
        betas=(0.9, 0.98),
        eps=1e-6,
        weight_decay=0.01,
        schedule="linear",
        warmup_steps=10_000,
        micro_batch_size=16,
        grad_accum_steps=280,
        max_epochs=100,
    ),
}
# Specials of the corpus BPE tokenizer ([PAD] [UNK] [CLS] [SEP] [MASK] at 0..4); overridable.
_SPECIALS = dict(pad_token_id=0, cls_token_id=2, sep_token_id=3)


def _preset(preset: str) -> dict[str, Any]:
    if preset not in PRESETS:
        raise KeyError(f"{NAME}: unknown preset {preset!r}; known: {sorted(PRESETS)}")
    return PRESETS[preset]


def context_length(preset: str) -> int:
    return int(_preset(preset)["max_position_embeddings"])


def build_config(preset: str, vocab_size: int = VOCAB_SIZE, **overrides: Any) -> Dnabert2Config:
    return Dnabert2Config(**{**_preset(preset), "vocab_size": vocab_size, **_SPECIALS, **overrides})


def build_model(config: PretrainedConfig) -> PreTrainedModel:
    return Dnabert2ForMaskedLM(config)


def collator(tokenizer: Any, rate: float = 0.15, seed: int = 0, **_: Any) -> TokenMaskingCollator:
    return TokenMaskingCollator(SpecialIds.of(tokenizer), rate=rate, seed=seed)
