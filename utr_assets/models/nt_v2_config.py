"""The configuration of our Nucleotide Transformer v2 classes (`NtV2Config`, model_type ``utr_nt_v2``):
what a checkpoint's config.json holds.

What belongs here: the config class and its validation. Not here: the layers (`nt_v2_layers.py`), the
models and their Auto registration (`nt_v2_modeling.py`, which re-exports this class).
"""

from __future__ import annotations

from typing import Any

from transformers import PretrainedConfig

MODEL_TYPE = "utr_nt_v2"


class NtV2Config(PretrainedConfig):
    model_type = MODEL_TYPE

    def __init__(
        self,
        vocab_size: int = 4107,
        hidden_size: int = 512,
        num_hidden_layers: int = 22,
        num_attention_heads: int = 16,
        intermediate_size: int = 2048,
        hidden_dropout_prob: float = 0.0,
        attention_probs_dropout_prob: float = 0.0,
        max_position_embeddings: int = 2050,
        initializer_range: float = 0.02,
        layer_norm_eps: float = 1e-12,
        position_embedding_type: str = "rotary",
        token_dropout: bool = False,
        emb_layer_norm_before: bool = False,
        add_bias_fnn: bool = False,
        pad_token_id: int = 1,
        mask_token_id: int = 2,
        **kwargs: Any,
    ) -> None:
        if hidden_size % num_attention_heads:
            raise ValueError(
                f"hidden_size {hidden_size} is not a multiple of num_attention_heads {num_attention_heads}"
            )
        if position_embedding_type not in ("rotary", "absolute"):
            raise ValueError(
                f"position_embedding_type must be rotary or absolute, got {position_embedding_type!r}"
            )
        self.vocab_size, self.hidden_size, self.num_hidden_layers = vocab_size, hidden_size, num_hidden_layers
        self.num_attention_heads, self.intermediate_size = num_attention_heads, intermediate_size
        self.hidden_dropout_prob, self.attention_probs_dropout_prob = (
            hidden_dropout_prob,
            attention_probs_dropout_prob,
        )
        self.max_position_embeddings, self.initializer_range = max_position_embeddings, initializer_range
        self.layer_norm_eps, self.position_embedding_type = layer_norm_eps, position_embedding_type
        self.token_dropout, self.emb_layer_norm_before = token_dropout, emb_layer_norm_before
        self.add_bias_fnn, self.mask_token_id = add_bias_fnn, mask_token_id
        kwargs.setdefault("tie_word_embeddings", False)
        kwargs["pad_token_id"] = pad_token_id  # PreTrainedConfig takes it through **kwargs
        super().__init__(**kwargs)
        self.pad_token_id = pad_token_id
