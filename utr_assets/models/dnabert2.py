"""DNABERT-2 architecture builders (the family's facts: utr_assets/families/dnabert2.py): our native
Dnabert2ForMaskedLM (dnabert2_modeling.py) and 15% token masking.

What belongs here: turning a preset (a model-config dict) into a config and a model, and the collator.
Not here: presets, training settings or vocabulary facts (the family module).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transformers import PreTrainedModel

from utr_assets.models.collators import SpecialIds, TokenMaskingCollator
from utr_assets.models.dnabert2_modeling import Dnabert2Config, Dnabert2ForMaskedLM

# Specials of the corpus BPE tokenizer ([PAD] [UNK] [CLS] [SEP] [MASK] at 0..4); overridable.
_SPECIALS = dict(pad_token_id=0, cls_token_id=2, sep_token_id=3)


def build_config(preset: Mapping[str, Any], vocab_size: int, **overrides: Any) -> Dnabert2Config:
    return Dnabert2Config(**{**preset, "vocab_size": vocab_size, **_SPECIALS, **overrides})


def build_model(config: Dnabert2Config) -> PreTrainedModel:
    return Dnabert2ForMaskedLM(config)


def collator(tokenizer: Any, *, mask_rate: float, seed: int = 0) -> TokenMaskingCollator:
    return TokenMaskingCollator(SpecialIds.of(tokenizer), mask_rate=mask_rate, seed=seed)
