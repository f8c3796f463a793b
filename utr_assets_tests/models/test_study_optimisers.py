"""The paper presets' optimiser settings against the study's training scripts (docs/protocol.md §3).

Expected values are read by hand from the study's repository (heiniglab/investigating-foundation-models-3utr,
models/zoonomia/<family>/main_parallel.py and experiments/train_3utr/run.sh), not from our family modules:
the optimiser call, its defaults, the scheduler and the absence of gradient clipping in helpers/train_eval.py.
"""

from __future__ import annotations

import pytest
from transformers import BertConfig, BertForMaskedLM

from utr_assets.models.train_config import TrainConfig, parameter_groups, train_config_for

STUDY = {
    # ntrans/main_parallel.py:186 Adam(betas=(0.9,0.999), eps=1e-8, lr=--max_lr 1e-4, weight_decay 0);
    # get_inverse_sqrt_schedule(num_warmup_steps=--step_size_up 3000 from run.sh)
    "nt": dict(optimizer="adam", lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               schedule="inverse_sqrt", warmup_steps=3000),
    # dnabert2/main_parallel.py:191 AdamW(betas=(0.9,0.98), eps=1e-6, lr 5e-4, weight_decay 1e-5);
    # CyclicLR(base_lr=0, step_size_up=30000, step_size_down=470000)
    "dnabert2": dict(optimizer="adamw", lr=5e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=1e-5,
                     schedule="triangular", warmup_steps=30_000, cycle_steps=500_000),
    # dnabert/main_parallel.py:183-197 AdamW(lr 4e-4, wd 1e-2, eps=1e-6, betas=(0.9,0.98));
    # CyclicLR(base_lr=0, step_size_up=10000, step_size_down=200000)
    "dnabert": dict(optimizer="adamw", lr=4e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=1e-2,
                    schedule="triangular", warmup_steps=10_000, cycle_steps=210_000),
    # state_space/main_parallel.py:225 AdamW(lr 1e-4, weight_decay 0.) with torch's defaults; scheduler = None
    "dss": dict(optimizer="adamw", lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                schedule="constant", warmup_steps=0),
}  # fmt: skip


@pytest.mark.parametrize("family", sorted(STUDY))
def test_paper_optimiser_is_the_studys(family: str) -> None:
    cfg = train_config_for(family, "paper")
    for key, value in STUDY[family].items():
        assert getattr(cfg, key) == value, (family, key)
    assert cfg.max_grad_norm is None  # no clip_grad_* in any family's helpers/train_eval.py


def _tiny_bert() -> BertForMaskedLM:
    config = BertConfig(
        vocab_size=16, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16
    )
    return BertForMaskedLM(config)


def _exempt_names(model: BertForMaskedLM, cfg: TrainConfig) -> set[str]:
    exempt = {id(p) for p in parameter_groups(model, cfg)[1]["params"]}
    return {n for n, p in model.named_parameters() if id(p) in exempt}


def test_dnabert_paper_decays_embeddings_and_exempts_biases_and_layernorm_weights() -> None:
    model = _tiny_bert()
    exempt = _exempt_names(model, train_config_for("dnabert", "paper"))
    assert "bert.embeddings.word_embeddings.weight" not in exempt  # the study decays embeddings
    assert "bert.encoder.layer.0.attention.self.query.weight" not in exempt
    assert "bert.embeddings.LayerNorm.weight" in exempt
    assert "bert.encoder.layer.0.output.LayerNorm.bias" in exempt
    assert "bert.encoder.layer.0.attention.self.query.bias" in exempt
    groups = parameter_groups(model, train_config_for("dnabert", "paper"))
    assert [g["weight_decay"] for g in groups] == [0.01, 0.0]
    total = sum(1 for _ in model.parameters())
    assert len(groups[0]["params"]) + len(groups[1]["params"]) == total


def test_empty_exemption_decays_everything_and_default_rule_is_unchanged() -> None:
    model = _tiny_bert()
    assert _exempt_names(model, TrainConfig(weight_decay_exempt=())) == set()
    default = _exempt_names(model, TrainConfig())
    assert "bert.embeddings.word_embeddings.weight" in default  # ours: embeddings and 1-D tensors
    assert "bert.encoder.layer.0.attention.self.query.bias" in default
    assert "bert.encoder.layer.0.attention.self.query.weight" not in default
