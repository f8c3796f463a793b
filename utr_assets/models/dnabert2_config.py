"""The configuration of our DNABERT-2 classes (`Dnabert2Config`, model_type ``utr_dnabert2``): what a
checkpoint's config.json holds.

What belongs here: the config class and its validation. Not here: the layers (`dnabert2_layers.py`), the
models and their Auto registration (`dnabert2_modeling.py`, which re-exports this class).
"""

from __future__ import annotations

from typing import Any

from transformers import PretrainedConfig

MODEL_TYPE = "utr_dnabert2"


class Dnabert2Config(PretrainedConfig):
    model_type = MODEL_TYPE

    def __init__(
        self,
        vocab_size: int = 4096,
        hidden_size: int = 768,
        num_hidden_layers: int = 12,
        num_attention_heads: int = 12,
        intermediate_size: int = 3072,
        hidden_act: str = "gelu",
        hidden_dropout_prob: float = 0.1,
        attention_probs_dropout_prob: float = 0.0,
        max_position_embeddings: int = 512,
        type_vocab_size: int = 2,
        initializer_range: float = 0.02,
        layer_norm_eps: float = 1e-12,
        pad_token_id: int = 0,
        **kwargs: Any,
    ) -> None:
        if hidden_size % num_attention_heads:
            raise ValueError(
                f"hidden_size {hidden_size} is not a multiple of num_attention_heads {num_attention_heads}"
            )
        self.vocab_size, self.hidden_size, self.num_hidden_layers = vocab_size, hidden_size, num_hidden_layers
        self.num_attention_heads, self.intermediate_size, self.hidden_act = (
            num_attention_heads,
            intermediate_size,
            hidden_act,
        )
        self.hidden_dropout_prob, self.attention_probs_dropout_prob = (
            hidden_dropout_prob,
            attention_probs_dropout_prob,
        )
        # ALiBi has no position table: max_position_embeddings is the context the model is used with
        self.max_position_embeddings, self.type_vocab_size = max_position_embeddings, type_vocab_size
        self.initializer_range, self.layer_norm_eps = initializer_range, layer_norm_eps
        kwargs.setdefault("tie_word_embeddings", True)
        kwargs["pad_token_id"] = pad_token_id  # PreTrainedConfig takes it through **kwargs
        super().__init__(**kwargs)
