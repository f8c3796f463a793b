"""The state-space family `dss` (docs/protocol.md §3; the study's STSP models, "state-space" in its text): single
nucleotides one-hot encoded, a conv encoder, an optional species embedding, residual conv blocks,
bidirectional DSS layers and a conv decoder. `dss` is its one name in registries, settings and code.

What belongs here: every fact of the family and where its code lives (DssConfig / DssForMaskedLM and the
builders in utr_assets/models/dss.py, the layers in utr_assets/models/dss_layers.py). Input ids follow
the single-nucleotide vocabulary (A C G T N = 0..4); the model predicts those 5 ids whatever the saved
tokeniser's specials, and N (id 4) is never a target. Its context (``chunk_length``) is in nucleotides,
which are its tokens (no specials).
"""

from __future__ import annotations

import math

from utr_assets.families.base import LANGUAGE_MODEL, ChunkRule, CostModel, Family

ROLLING_STRIDE = 50  # = utr_assets.scoring.marginals.ROLLING_STRIDE (a test keeps them equal)


def _tokens(length_nt: float) -> float:
    return length_nt


def _scoring_passes(n_utrs: int, mean_nt: float, content: int) -> tuple[float, str]:
    # rolling mask with stride 50: 50 passes per chunk
    return n_utrs * ROLLING_STRIDE * math.ceil(mean_nt / content), f"rolling mask x{ROLLING_STRIDE}"


FAMILY = Family(
    name="dss",
    display_name="state-space (STSP)",
    trainable=True,
    capabilities=LANGUAGE_MODEL,
    model_type="utr_dss",
    tokeniser="utr_assets.corpus.tokenisers:NucleotideTokeniser",
    k=1,
    n_special_tokens=0,
    chunks=ChunkRule(5000, 50),
    context_key="chunk_length",
    readout="nucleotide",
    mixed_lengths=False,
    excluded_target_ids=(4,),  # N
    species_aware=True,
    vocab_size=5,  # A C G T N
    fixed_output_vocab=True,
    target_classes=4,  # targets are A/C/G/T: the uniform guess is ln(4)
    presets={
        "tiny": dict(
            d_model=32,
            n_states=16,
            n_dss_layers=2,
            n_res_blocks=1,
            res_kernel=5,
            decoder_kernel=5,
            chunk_length=300,
        ),
        # The study's STSP: ~1.0M parameters with or without the species embedding.
        "paper": dict(
            d_model=128,
            n_states=64,
            n_dss_layers=4,
            n_res_blocks=3,
            res_kernel=5,
            decoder_kernel=5,
            chunk_length=5000,
        ),
    },
    training={
        "tiny": dict(
            optimizer="adamw",
            lr=3e-3,
            weight_decay=0.01,
            schedule="linear",
            warmup_steps=10,
            micro_batch_size=16,
            max_epochs=20,
        ),
        # effective batch 2,560 chunks on one GPU (32 x 80); divide grad_accum_steps by the GPU count
        # study: models/zoonomia/state_space/main_parallel.py:225 AdamW(lr 1e-4, weight_decay 0; torch's
        # default betas (0.9, 0.999), eps 1e-8), no scheduler (constant lr, no warm-up), no clipping
        "paper": dict(
            optimizer="adamw",
            lr=1e-4,
            betas=(0.9, 0.999),
            eps=1e-8,
            weight_decay=0.0,
            max_grad_norm=None,
            schedule="constant",
            warmup_steps=0,
            micro_batch_size=32,
            grad_accum_steps=80,
            max_epochs=100,
        ),
    },
    config_factory="utr_assets.models.dss:build_config",
    model_factory="utr_assets.models.dss:build_model",
    collator_factory="utr_assets.models.dss:collator",
    mask_rate=0.15,
    collator_options=frozenset({"edge"}),  # positions closer than `edge` nt to a chunk end are never masked
    # study: per-base masked (mask_at_test true); VIS unmasked (mask_at_test false)
    probability_modes={"per_base": "masked", "vis": "unmasked"},
    cost=CostModel(train_tokens_per_s=1_390_000, tokens=_tokens, scoring_passes=_scoring_passes),
)
