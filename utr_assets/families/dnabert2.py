"""DNABERT-2 (docs/protocol.md §3): BPE tokens, the published DNABERT-2 architecture (ALiBi attention, GLU FFN,
post-LayerNorm; our native Dnabert2ForMaskedLM in utr_assets/models/dnabert2_modeling.py), 15% token masking.

What belongs here: every fact of the family and where its code lives (architecture builders in
utr_assets/models/dnabert2.py). Paper preset: 12 x 768, 12 heads, GLU intermediate 3072, vocab 4,096,
2 token types -> 117,074,176 parameters, the count of zhihan1996/DNABERT-2-117M built from its config
with the publisher's code. No per-base probabilities: docs/protocol.md §4 defines no marginal for
variable-length tokens (the study reported none).
"""

from __future__ import annotations

from utr_assets.families.base import EMBEDDINGS, LOSS, ChunkRule, CostModel, Family

BPE_NT_PER_TOKEN = 4.0  # assumption (vocab 4,096): replace it with the ratio tokenised_corpus reports


def _tokens(length_nt: float) -> float:
    return length_nt / BPE_NT_PER_TOKEN


def _scoring_passes(n_utrs: int, mean_nt: float, content: int) -> tuple[float, str]:
    return n_utrs * mean_nt / BPE_NT_PER_TOKEN, "one pass per masked token"


FAMILY = Family(
    name="dnabert2",
    display_name="DNABERT-2",
    trainable=True,
    capabilities=frozenset({EMBEDDINGS, LOSS}),
    model_type="utr_dnabert2",
    tokeniser="utr_assets.corpus.tokenisers:BpeTokeniser",
    k=0,
    n_special_tokens=2,
    chunks=ChunkRule(1024, 10),
    readout=None,
    vocab_size=4096,
    presets={
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
    },
    training={
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
        # study: models/zoonomia/dnabert2/main_parallel.py:191 AdamW(betas=(0.9, 0.98), eps=1e-6, lr 5e-4,
        # weight_decay 1e-5 on every parameter), CyclicLR(base 0, up 30,000, down 470,000 steps), no clipping
        "paper": dict(
            optimizer="adamw",
            lr=5e-4,
            betas=(0.9, 0.98),
            eps=1e-6,
            weight_decay=1e-5,
            weight_decay_exempt=(),
            max_grad_norm=None,
            schedule="triangular",
            warmup_steps=30_000,
            cycle_steps=500_000,
            micro_batch_size=16,
            grad_accum_steps=280,
            max_epochs=100,
        ),
    },
    config_factory="utr_assets.models.dnabert2:build_config",
    model_factory="utr_assets.models.dnabert2:build_model",
    collator_factory="utr_assets.models.dnabert2:collator",
    mask_rate=0.15,
    import_spec="utr_assets.models.dnabert_import:DNABERT2",  # DNABERT-2-117M
    cost=CostModel(
        train_tokens_per_s=207_000,
        tokens=_tokens,
        scoring_passes=_scoring_passes,
        assumptions={"bpe_nt_per_token": BPE_NT_PER_TOKEN},
        note=f"DNABERT-2 BPE assumed {BPE_NT_PER_TOKEN} nt/token",
    ),
)
