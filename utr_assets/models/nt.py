"""Nucleotide Transformer v2 family (SPEC §3): non-overlapping 6-mers, ESM encoder with rotary
positions (transformers' EsmForMaskedLM), 15% token masking.

What belongs here: presets, config/model builders, collator choice, the study's optimiser settings.
SwiGLU: NT-v2 uses a SwiGLU FFN (3 * d * 2048 weights per layer), which EsmForMaskedLM lacks. We keep
the stock class (checkpoints load with plain AutoModelForMaskedLM, no remote code) and use a GELU FFN
of width 3072: 2 * d * 3072 = 3 * d * 2048, i.e. the same parameter count and FLOPs per layer. With an
untied LM head (as NT) the paper preset has 96.9M parameters (NT-v2-100M: ~98M).
"""

from __future__ import annotations

from typing import Any

from transformers import EsmConfig, EsmForMaskedLM, PretrainedConfig, PreTrainedModel

from .collators import SpecialIds, TokenMaskingCollator

NAME = "nt"
MODEL_TYPE = "esm"
VOCAB_SIZE = 4107
PRESETS: dict[str, dict[str, Any]] = {
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=192,
                 max_position_embeddings=128, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0),
    "paper": dict(hidden_size=512, num_hidden_layers=22, num_attention_heads=16, intermediate_size=3072,
                  max_position_embeddings=1024),
}
PAPER_PARAMETERS = 98_000_000
# Study: Adam lr 1e-4, inverse square root after 3,000 warm-up steps.
TRAINING: dict[str, dict[str, Any]] = {
    "tiny": dict(optimizer="adam", lr=2e-3, schedule="linear", warmup_steps=10, weight_decay=0.0,
                 micro_batch_size=16, max_epochs=20),
    # effective batch 480 chunks on one GPU (16 x 30); divide grad_accum_steps by the GPU count
    "paper": dict(optimizer="adam", lr=1e-4, schedule="inverse_sqrt", warmup_steps=3000, weight_decay=0.0,
                  micro_batch_size=16, grad_accum_steps=30, max_epochs=100),
}
# Specials of the NT layout (<unk> <pad> <mask> <cls> at 0..3); overridable.
_SPECIALS = dict(pad_token_id=1, mask_token_id=2)


def _preset(preset: str) -> dict[str, Any]:
    if preset not in PRESETS:
        raise KeyError(f"{NAME}: unknown preset {preset!r}; known: {sorted(PRESETS)}")
    return PRESETS[preset]


def context_length(preset: str) -> int:
    return int(_preset(preset)["max_position_embeddings"])


def build_config(preset: str, vocab_size: int = VOCAB_SIZE, **overrides: Any) -> EsmConfig:
    kwargs = dict(_preset(preset), vocab_size=vocab_size, **_SPECIALS, position_embedding_type="rotary",
                  token_dropout=False, emb_layer_norm_before=False, tie_word_embeddings=False)
    kwargs.update(overrides)
    return EsmConfig(**kwargs)


def build_model(config: PretrainedConfig) -> PreTrainedModel:
    return EsmForMaskedLM(config)


def collator(tokenizer: Any, rate: float = 0.15, seed: int = 0, **_: Any) -> TokenMaskingCollator:
    return TokenMaskingCollator(SpecialIds.of(tokenizer), rate=rate, seed=seed)
