"""DNABERT (docs/protocol.md §3): overlapping 6-mers, a BERT encoder (transformers' BertForMaskedLM), span masking.

What belongs here: every fact of the family (vocabulary, chunking, readout, presets, the study's optimiser
settings, planning costs) and where its code lives. Not here: the architecture builders
(utr_assets/models/dnabert.py), the tokeniser (utr_assets/corpus/tokenisers.py), the import mapping
(utr_assets/models/dnabert_import.py).
Vocabulary 4,101 = [PAD] [UNK] [CLS] [SEP] [MASK] + 4,096 6-mers; context 512 tokens incl. [CLS]/[SEP].
"""

from __future__ import annotations

from utr_assets.families.base import LANGUAGE_MODEL, ChunkRule, CostModel, Family

K = 6


def _tokens(length_nt: float) -> float:
    return max(length_nt - (K - 1), 1)


def _scoring_passes(n_utrs: int, mean_nt: float, content: int) -> tuple[float, str]:
    # one pass per position (the k tokens covering it masked together), over the chunk holding it
    return n_utrs * mean_nt, "one pass per position"


FAMILY = Family(
    name="dnabert",
    display_name="DNABERT",
    trainable=True,
    capabilities=LANGUAGE_MODEL,
    model_type="bert",
    tokeniser="utr_assets.corpus.tokenisers:DnabertTokeniser",
    k=K,
    n_special_tokens=2,
    chunks=ChunkRule(512, 50),
    readout="overlapping_kmer",
    min_scored_length=K,
    vocab_size=4101,
    presets={
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
    },
    training={
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
        # study: models/zoonomia/dnabert/main_parallel.py:183-197 AdamW(betas=(0.9, 0.98), eps=1e-6, lr 4e-4,
        # weight_decay 0.01 except bias and LayerNorm.weight), CyclicLR(base 0, up 10,000, down 200,000), no clipping
        "paper": dict(
            optimizer="adamw",
            lr=4e-4,
            betas=(0.9, 0.98),
            eps=1e-6,
            weight_decay=0.01,
            weight_decay_exempt=("bias", "LayerNorm.weight"),
            max_grad_norm=None,
            schedule="triangular",
            warmup_steps=10_000,
            cycle_steps=210_000,
            micro_batch_size=32,
            grad_accum_steps=60,
            max_epochs=100,
        ),
    },
    config_factory="utr_assets.models.dnabert:build_config",
    model_factory="utr_assets.models.dnabert:build_model",
    collator_factory="utr_assets.models.dnabert:collator",
    # rate of span centres: 0.025 (original DNABERT, ~14% of tokens masked) or 0.15 (the study)
    mask_rate=0.025,
    import_spec="utr_assets.models.dnabert_import:DNABERT",  # DNA_bert_6, stock BERT
    # study: masked per-base probabilities (DNABERT span masks) for both scores
    probability_modes={"per_base": "masked", "vis": "masked"},
    cost=CostModel(train_tokens_per_s=312_000, tokens=_tokens, scoring_passes=_scoring_passes),
)
