"""Nucleotide Transformer v2 architecture builders (the family's facts: utr_assets/families/nt.py): our native
NtV2ForMaskedLM (nt_v2_modeling.py: pre-LN ESM encoder, rotary positions, SwiGLU FFN without bias,
untied LM head) and 15% token masking (random replacements over the whole vocabulary, as the study).

What belongs here: turning a preset (a model-config dict) into a config and a model, and the collator.
Not here: presets, training settings (the family module), the checkpoint import (nt_import.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transformers import PreTrainedModel

from utr_assets.models.collators import SpecialIds, TokenMaskingCollator
from utr_assets.models.nt_v2_modeling import NtV2Config, NtV2ForMaskedLM

# Specials of the NT layout (<unk> <pad> <mask> <cls> at 0..3); overridable.
_SPECIALS = dict(pad_token_id=1, mask_token_id=2)


def build_config(preset: Mapping[str, Any], vocab_size: int, **overrides: Any) -> NtV2Config:
    kwargs = dict(
        preset,
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


def build_model(config: NtV2Config) -> PreTrainedModel:
    return NtV2ForMaskedLM(config)


def collator(tokenizer: Any, *, mask_rate: float, seed: int = 0) -> TokenMaskingCollator:
    return TokenMaskingCollator(SpecialIds.of(tokenizer), mask_rate=mask_rate, seed=seed)
