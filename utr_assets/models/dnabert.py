"""DNABERT architecture builders (the family's facts: utr_assets/families/dnabert.py): a stock BERT masked LM
(transformers' BertForMaskedLM) and whole-6-mer span masking.

What belongs here: turning a preset (a model-config dict) into a config and a model, and the collator.
Not here: presets, training settings or vocabulary facts (the family module), the tokenizer
(utr_assets.corpus), the training loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transformers import BertConfig, BertForMaskedLM, PreTrainedModel

from utr_assets.models.collators import KmerSpanMaskingCollator, SpecialIds


def build_config(preset: Mapping[str, Any], vocab_size: int, **overrides: Any) -> BertConfig:
    kwargs = dict(preset, vocab_size=vocab_size, pad_token_id=0, type_vocab_size=1)
    kwargs.update(overrides)
    return BertConfig(**kwargs)


def build_model(config: BertConfig) -> PreTrainedModel:
    return BertForMaskedLM(config)


def collator(tokenizer: Any, *, mask_rate: float, seed: int = 0) -> KmerSpanMaskingCollator:
    """Whole-6-mer span masking; ``mask_rate`` is the rate of span centres (0.025: ~14% of tokens)."""
    return KmerSpanMaskingCollator(SpecialIds.of(tokenizer), mask_rate=mask_rate, k=6, seed=seed)
