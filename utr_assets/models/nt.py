"""Nucleotide Transformer v2 family (docs/protocol.md §3): non-overlapping 6-mers, the study's NT-v2 architecture
(native class in nt_v2_modeling.py: pre-LN ESM encoder, rotary positions, SwiGLU FFN without bias,
untied LM head), 15% token masking.

What belongs here: presets, config/model builders, collator choice, the study's optimiser settings, and
``IMPORT``: how a published NT-v2 checkpoint (InstaDeep's remote-code ESM) maps onto our class.
Paper preset = NT-v2-100M's config_v2-100m.json (512 x 22 layers, 16 heads, SwiGLU 2 x 2048) except
max_position_embeddings 1024 (the study's chunk length; NT-v2: 2050, a table rotary models never read):
97.36M parameters against the publisher's 97.89M (-0.54%).
"""

from __future__ import annotations

from typing import Any

from transformers import PretrainedConfig, PreTrainedModel

from utr_assets.models import nt_import
from utr_assets.models.collators import SpecialIds, TokenMaskingCollator
from utr_assets.models.nt_v2_modeling import NtV2Config, NtV2ForMaskedLM

NAME = "nt"
MODEL_TYPE = NtV2Config.model_type
IMPORT = nt_import.IMPORT  # `utr-assets models import --family nt`
VOCAB_SIZE = 4107
PRESETS: dict[str, dict[str, Any]] = {
    "tiny": dict(
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=128,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    ),
    "paper": dict(
        hidden_size=512,
        num_hidden_layers=22,
        num_attention_heads=16,
        intermediate_size=2048,
        max_position_embeddings=1024,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    ),
}
PAPER_PARAMETERS = 97_889_132  # NT-v2-100M from the publisher's code (scripts/golden/make_golden_nt_v2.py)
# Study: Adam lr 1e-4, inverse square root after 3,000 warm-up steps.
TRAINING: dict[str, dict[str, Any]] = {
    "tiny": dict(
        optimizer="adam",
        lr=2e-3,
        schedule="linear",
        warmup_steps=10,
        weight_decay=0.0,
        micro_batch_size=16,
        max_epochs=20,
    ),
    # effective batch 480 chunks on one GPU (16 x 30); divide grad_accum_steps by the GPU count
    "paper": dict(
        optimizer="adam",
        lr=1e-4,
        schedule="inverse_sqrt",
        warmup_steps=3000,
        weight_decay=0.0,
        micro_batch_size=16,
        grad_accum_steps=30,
        max_epochs=100,
    ),
}
# Specials of the NT layout (<unk> <pad> <mask> <cls> at 0..3); overridable.
_SPECIALS = dict(pad_token_id=1, mask_token_id=2)


def _preset(preset: str) -> dict[str, Any]:
    if preset not in PRESETS:
        raise KeyError(f"{NAME}: unknown preset {preset!r}; known: {sorted(PRESETS)}")
    return PRESETS[preset]


def context_length(preset: str) -> int:
    return int(_preset(preset)["max_position_embeddings"])


def build_config(preset: str, vocab_size: int = VOCAB_SIZE, **overrides: Any) -> NtV2Config:
    kwargs = dict(
        _preset(preset),
        vocab_size=vocab_size,
        **_SPECIALS,
        position_embedding_type="rotary",
        token_dropout=False,
        emb_layer_norm_before=False,
        add_bias_fnn=False,
        tie_word_embeddings=False,
    )
    kwargs.update(overrides)
    return NtV2Config(**kwargs)


def build_model(config: PretrainedConfig) -> PreTrainedModel:
    return NtV2ForMaskedLM(config)


def collator(tokenizer: Any, rate: float = 0.15, seed: int = 0, **_: Any) -> TokenMaskingCollator:
    return TokenMaskingCollator(SpecialIds.of(tokenizer), rate=rate, seed=seed)
