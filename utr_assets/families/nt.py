"""Nucleotide Transformer v2 (docs/protocol.md §3): non-overlapping 6-mers, the study's NT-v2 architecture (native
class in utr_assets/models/nt_v2_modeling.py: pre-LN ESM encoder, rotary positions, SwiGLU FFN without
bias, untied LM head), 15% token masking.

What belongs here: every fact of the family and where its code lives (architecture builders in
utr_assets/models/nt.py, the import of a published NT-v2 checkpoint in utr_assets/models/nt_import.py).
Paper preset = NT-v2-100M's config_v2-100m.json (512 x 22 layers, 16 heads, SwiGLU 2 x 2048) except
max_position_embeddings 1024 (the study's chunk length; NT-v2: 2050, a table rotary models never read):
97.36M parameters against the publisher's 97.89M (-0.54%).
"""

from __future__ import annotations

import math

from utr_assets.families.base import LANGUAGE_MODEL, ChunkRule, CostModel, Family

K = 6


def _tokens(length_nt: float) -> float:
    return math.ceil(length_nt / K)  # the last token may be shorter (single-letter fallback)


def _scoring_passes(n_utrs: int, mean_nt: float, content: int) -> tuple[float, str]:
    return n_utrs * mean_nt / K, "one pass per masked token"


FAMILY = Family(
    name="nt",
    display_name="Nucleotide Transformer v2",
    trainable=True,
    capabilities=LANGUAGE_MODEL,
    model_type="utr_nt_v2",
    tokeniser="utr_assets.corpus.tokenisers:NtTokeniser",
    k=K,
    n_special_tokens=1,
    chunks=ChunkRule(1024, 10),
    readout="kmer",
    reference_aware=True,
    min_scored_length=K,
    vocab_size=4107,
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
        "paper": dict(
            hidden_size=512,
            num_hidden_layers=22,
            num_attention_heads=16,
            intermediate_size=2048,
            max_position_embeddings=1024,
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
        ),
    },
    # tiny: lr 1e-3 (issue 21). At 2e-3 the 64-wide model's representation collapses within the first
    # ~100 steps (effective rank of the sample's MPRA embeddings 43 untrained -> 10-12 at 400 steps, one
    # direction holding ~90% of the variance), whatever the warm-up (10 or 40), Adam's betas/eps/clipping
    # (ours or the study's) or an LM-head bias set to the token prior; 2,000 steps do not undo it (10.9).
    # At 1e-3: same validation loss at 400 steps (7.893 vs 7.892), rank 42.5, and 45.6 after 2,000 steps
    # (loss 7.695): same steps, same cost. speed_benchmarks/nt_collapse_diagnostics.py has the table.
    training={
        "tiny": dict(
            optimizer="adam",
            lr=1e-3,
            schedule="linear",
            warmup_steps=10,
            weight_decay=0.0,
            micro_batch_size=16,
            max_epochs=20,
        ),
        # effective batch 480 chunks on one GPU (16 x 30); divide grad_accum_steps by the GPU count
        # study: models/zoonomia/ntrans/main_parallel.py:186 torch.optim.Adam(betas=(0.9, 0.999), eps=1e-8,
        # lr 1e-4, weight_decay 0), inverse sqrt after --step_size_up 3000 (train_3utr/run.sh), no clipping
        "paper": dict(
            optimizer="adam",
            lr=1e-4,
            betas=(0.9, 0.999),
            eps=1e-8,
            max_grad_norm=None,
            schedule="inverse_sqrt",
            warmup_steps=3000,
            weight_decay=0.0,
            micro_batch_size=16,
            grad_accum_steps=30,
            max_epochs=100,
        ),
    },
    config_factory="utr_assets.models.nt:build_config",
    model_factory="utr_assets.models.nt:build_model",
    collator_factory="utr_assets.models.nt:collator",
    mask_rate=0.15,
    import_spec="utr_assets.models.nt_import:IMPORT",
    # study: per-base masked (zero-shot-probs --masking true --ref_aware false); VIS from one
    # reference-aware unmasked pass (variant_effect/inference-vis)
    probability_modes={"per_base": "masked", "vis": "reference_aware"},
    cost=CostModel(train_tokens_per_s=122_000, tokens=_tokens, scoring_passes=_scoring_passes),
)
