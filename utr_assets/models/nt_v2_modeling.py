"""Nucleotide Transformer v2 as our own Hugging Face classes (no remote code): NtV2Config, NtV2Model and
NtV2ForMaskedLM, registered with AutoConfig / AutoModel / AutoModelForMaskedLM under model_type
``utr_nt_v2`` (importing ``utr_assets.models`` registers them).

What belongs here: the architecture's models and head; the config is `nt_v2_config.py`, the layers
`nt_v2_layers.py` (both re-exported here). Not here: presets and training settings (nt.py), mapping a
published checkpoint onto these classes (nt.py ``IMPORT`` + importing.py).

Semantics follow the publisher's ``modeling_esm.py`` (InstaDeep's NT-v2 fork of transformers' ESM),
module names included, so a published state dict maps name for name:
- embeddings: word embeddings; with ``token_dropout`` the <mask> rows are zeroed and the rest rescaled
  by (1 - 0.15 * 0.8) / (1 - observed mask ratio); optional ``emb_layer_norm_before``; padded positions
  zeroed. The publisher always builds a learned position table (max_position_embeddings x hidden),
  used only for ``position_embedding_type="absolute"``; it is kept (frozen under rotary) so published
  weights load one to one and the parameter count is the publisher's.
- each layer is pre-LN: h += Wo attn(LN(h)); h += W2 (silu(x1) * x2), [x1 x2] = W1 LN(h), the FFN
  without bias when ``add_bias_fnn`` is false (NT-v2: SwiGLU, no bias).
- attention: q scaled by head_dim^-0.5 *before* the rotary rotation (ESM's order), rotary on q and k
  (rotate-half, base 10000), then ``F.scaled_dot_product_attention`` (flash / memory-efficient
  kernels on CUDA, bf16 autocast) with scale 1 and a key-padding mask.
- ``emb_layer_norm_after`` on the last layer's output (the last hidden state), then the LM head:
  dense -> erf GELU -> LayerNorm -> decoder (no bias) + a separate bias vector.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, PreTrainedModel
from transformers import initialization as init
from transformers.modeling_outputs import BaseModelOutput, MaskedLMOutput

from utr_assets.models.nt_v2_config import MODEL_TYPE, NtV2Config
from utr_assets.models.nt_v2_layers import MASK_RATIO_TRAIN, NtV2Embeddings, NtV2Encoder, RotaryEmbedding

__all__ = [
    "MASK_RATIO_TRAIN",
    "MODEL_TYPE",
    "NtV2Config",
    "NtV2ForMaskedLM",
    "NtV2Model",
    "NtV2PreTrainedModel",
    "RotaryEmbedding",
]


class NtV2PreTrainedModel(PreTrainedModel):
    config_class = NtV2Config
    base_model_prefix = "esm"
    main_input_name = "input_ids"
    supports_gradient_checkpointing = False
    _supports_sdpa = True

    def _init_weights(self, module: nn.Module) -> None:
        super()._init_weights(module)  # normal(0, initializer_range), zero biases, padding rows, LN = 1/0
        if isinstance(module, NtV2LMHead):
            init.zeros_(module.bias)
        elif isinstance(module, RotaryEmbedding):
            init.copy_(module.inv_freq, RotaryEmbedding.default_inv_freq(module.dim))


class NtV2Model(NtV2PreTrainedModel):
    def __init__(self, config: NtV2Config) -> None:
        super().__init__(config)
        self.embeddings = NtV2Embeddings(config)
        self.encoder = NtV2Encoder(config)
        self.post_init()

    def get_input_embeddings(self) -> nn.Embedding:
        return self.embeddings.word_embeddings

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **_: Any,
    ) -> BaseModelOutput:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        key_mask = attention_mask.bool()[:, None, None, :]  # True = attend (keys only, as the publisher)
        h = self.embeddings(input_ids, attention_mask)
        hidden: list[torch.Tensor] | None = [] if output_hidden_states else None
        for layer in self.encoder.layer:
            if hidden is not None:
                hidden.append(h)
            h = layer(h, key_mask)
        h = self.encoder.emb_layer_norm_after(h)
        if hidden is not None:
            hidden.append(h)
        return BaseModelOutput(
            last_hidden_state=h, hidden_states=tuple(hidden) if hidden is not None else None
        )


class NtV2LMHead(nn.Module):
    def __init__(self, config: NtV2Config) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = self.dense(features)
        x = x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))  # ESM's erf GELU
        return self.decoder(self.layer_norm(x)) + self.bias


class NtV2ForMaskedLM(NtV2PreTrainedModel):
    def __init__(self, config: NtV2Config) -> None:
        super().__init__(config)
        self.esm = NtV2Model(config)
        self.lm_head = NtV2LMHead(config)
        self.post_init()

    def get_output_embeddings(self) -> None:
        return None  # never tied (NT-v2: tie_word_embeddings false)

    def encoder_and_head(self) -> tuple[nn.Module, nn.Module]:
        """(encoder returning the last hidden state first, position-wise head): scorers compute logits
        only where they read them."""
        return self.esm, self.lm_head

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **_: Any,
    ) -> MaskedLMOutput:
        out = self.esm(input_ids, attention_mask=attention_mask, output_hidden_states=output_hidden_states)
        logits = self.lm_head(out.last_hidden_state)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(
                logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100
            )
        return MaskedLMOutput(loss=loss, logits=logits, hidden_states=out.hidden_states)


AutoConfig.register(MODEL_TYPE, NtV2Config, exist_ok=True)
AutoModel.register(NtV2Config, NtV2Model, exist_ok=True)
AutoModelForMaskedLM.register(NtV2Config, NtV2ForMaskedLM, exist_ok=True)
