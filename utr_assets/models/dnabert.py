"""DNABERT family (docs/protocol.md §3): overlapping 6-mers, BERT encoder (transformers' BertForMaskedLM), span masking.

What belongs here: the size presets, the config/model builders, the collator choice and the study's
optimiser settings for this family. Not here: the tokenizer (utr_assets.corpus) or the training loop.
Vocabulary 4,101 = [PAD] [UNK] [CLS] [SEP] [MASK] + 4,096 6-mers; context 512 tokens incl. [CLS]/[SEP].
"""

from __future__ import annotations

from typing import Any

from transformers import BertConfig, BertForMaskedLM, PretrainedConfig, PreTrainedModel

from utr_assets.models import dnabert_import
from utr_assets.models.collators import KmerSpanMaskingCollator, SpecialIds

NAME = "dnabert"
MODEL_TYPE = "bert"
VOCAB_SIZE = 4101
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
    # DNABERT-6 / DNABERT-3UTR: ~89.2M parameters with vocab 4,101.
    "paper": dict(
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=512,
    ),
}
PAPER_PARAMETERS = 89_000_000
IMPORT = dnabert_import.DNABERT  # `utr-assets models import --family dnabert` (DNA_bert_6, stock BERT)
# Study: AdamW (0.9, 0.98), eps 1e-6, wd 0.01, peak lr 4e-4, triangular cyclic schedule.
TRAINING: dict[str, dict[str, Any]] = {
    "tiny": dict(
        optimizer="adamw",
        lr=2e-3,
        betas=(0.9, 0.98),
        eps=1e-6,
        weight_decay=0.01,
        schedule="linear",
        warmup_steps=10,
        micro_batch_size=16,
        max_epochs=20,
    ),
    # effective batch 1,920 chunks on one GPU (32 x 60); divide grad_accum_steps by the GPU count
    "paper": dict(
        optimizer="adamw",
        lr=4e-4,
        betas=(0.9, 0.98),
        eps=1e-6,
        weight_decay=0.01,
        schedule="triangular",
        warmup_steps=10_000,
        micro_batch_size=32,
        grad_accum_steps=60,
        max_epochs=100,
    ),
}


def _preset(preset: str) -> dict[str, Any]:
    if preset not in PRESETS:
        raise KeyError(f"{NAME}: unknown preset {preset!r}; known: {sorted(PRESETS)}")
    return PRESETS[preset]


def context_length(preset: str) -> int:
    """Tokens per chunk, [CLS] and [SEP] included."""
    return int(_preset(preset)["max_position_embeddings"])


def build_config(preset: str, vocab_size: int = VOCAB_SIZE, **overrides: Any) -> BertConfig:
    kwargs = dict(_preset(preset), vocab_size=vocab_size, pad_token_id=0, type_vocab_size=1)
    kwargs.update(overrides)
    return BertConfig(**kwargs)


def build_model(config: PretrainedConfig) -> PreTrainedModel:
    return BertForMaskedLM(config)


def collator(tokenizer: Any, centre_rate: float = 0.025, seed: int = 0, **_: Any) -> KmerSpanMaskingCollator:
    """Whole-6-mer span masking; ``centre_rate`` 0.025 (original DNABERT, ~14% of tokens) or 0.15 (the study)."""
    return KmerSpanMaskingCollator(SpecialIds.of(tokenizer), centre_rate=centre_rate, k=6, seed=seed)
