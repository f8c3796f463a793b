"""DNABERT-2's architecture (MosaicBERT as published in zhihan1996/DNABERT-2-117M ``bert_layers.py``) as our
own Hugging Face classes: no remote code, no triton, no einops.

What belongs here: Dnabert2Config / Dnabert2Model / Dnabert2ForMaskedLM, registered with AutoConfig,
AutoModel and AutoModelForMaskedLM under model_type ``utr_dnabert2`` (importing ``utr_assets.models``
registers them). The config is `dnabert2_config.py`, the layers `dnabert2_layers.py` (both re-exported
here). Not here: presets and training settings (dnabert2.py), weight import (dnabert2_import.py).

The architecture, line for line with the publisher's code with its PyTorch attention path:
- embeddings: word + token-type embeddings (no position embeddings), LayerNorm, dropout;
- attention: one packed ``Wqkv`` projection; scores q.k / sqrt(d) plus an ALiBi bias -slope_h * |i - j|
  (slopes of Press et al., the publisher's formula for head counts that are not powers of two) plus
  -10,000 at padded keys; post-LayerNorm residual;
- feed-forward: gated linear unit, ``gated_layers`` (no bias) -> GELU(first half) * second half -> ``wo``,
  post-LayerNorm residual;
- unpadded semantics: the linear layers see only real tokens (padded rows are gathered out and put back
  as zeros around attention), so padded positions of every hidden state are exactly zero;
- MLM head: dense, GELU, LayerNorm (eps 1e-12), decoder tied to the word embeddings, with its own bias.
Parameter names equal the publisher's, so a published state dict maps onto ours name for name.
Attention runs through ``torch.nn.functional.scaled_dot_product_attention`` with the additive ALiBi +
padding mask (memory-efficient kernels on CUDA; the mask is cast to the compute dtype under autocast).
"""

from __future__ import annotations

from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import nn
from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, PreTrainedModel
from transformers.activations import ACT2FN
from transformers.modeling_outputs import BaseModelOutput, MaskedLMOutput

from utr_assets.models.dnabert2_config import MODEL_TYPE, Dnabert2Config
from utr_assets.models.dnabert2_layers import (
    PAD_BIAS,
    Dnabert2Embeddings,
    Dnabert2Encoder,
    TokenLayout,
    alibi_slopes,
)

__all__ = [
    "MODEL_TYPE",
    "PAD_BIAS",
    "Dnabert2Config",
    "Dnabert2ForMaskedLM",
    "Dnabert2Model",
    "Dnabert2PreTrainedModel",
    "alibi_slopes",
]
IGNORE_INDEX = -100
HEAD_LAYER_NORM_EPS = 1e-12  # fixed in the publisher's prediction head, whatever layer_norm_eps says


class Dnabert2PreTrainedModel(PreTrainedModel):
    config_class = Dnabert2Config
    base_model_prefix = "bert"
    main_input_name = "input_ids"
    supports_gradient_checkpointing = False


class Dnabert2Model(Dnabert2PreTrainedModel):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__(config)
        self.embeddings = Dnabert2Embeddings(config)
        self.encoder = Dnabert2Encoder(config)
        self.post_init()

    def get_input_embeddings(self) -> nn.Module:
        return self.embeddings.word_embeddings

    def set_input_embeddings(self, value: nn.Module) -> None:
        self.embeddings.word_embeddings = cast(nn.Embedding, value)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **_: Any,
    ) -> BaseModelOutput:
        mask = torch.ones_like(input_ids) if attention_mask is None else attention_mask
        types = torch.zeros_like(input_ids) if token_type_ids is None else token_type_ids
        layout = TokenLayout(mask)
        bias = self.encoder.attention_bias(mask)
        x = layout.unpad(self.embeddings(input_ids, types))
        hidden = [layout.pad(x)] if output_hidden_states else None
        for layer in self.encoder.layer:
            x = layer(x, layout, bias)
            if hidden is not None:
                hidden.append(layout.pad(x))
        last = hidden[-1] if hidden is not None else layout.pad(x)
        return BaseModelOutput(last_hidden_state=last, hidden_states=tuple(hidden) if hidden else None)


class Dnabert2PredictionHeadTransform(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.transform_act_fn = ACT2FN[config.hidden_act]
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=HEAD_LAYER_NORM_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.transform_act_fn(self.dense(x)))


class Dnabert2LMPredictionHead(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.transform = Dnabert2PredictionHeadTransform(config)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.transform(x))


class Dnabert2OnlyMLMHead(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.predictions = Dnabert2LMPredictionHead(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.predictions(x)


class Dnabert2ForMaskedLM(Dnabert2PreTrainedModel):
    _tied_weights_keys = {"cls.predictions.decoder.weight": "bert.embeddings.word_embeddings.weight"}

    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__(config)
        self.bert = Dnabert2Model(config)
        self.cls = Dnabert2OnlyMLMHead(config)
        self.post_init()

    def get_input_embeddings(self) -> nn.Module:
        return self.bert.embeddings.word_embeddings

    def get_output_embeddings(self) -> nn.Module:
        return self.cls.predictions.decoder

    def set_output_embeddings(self, new_embeddings: nn.Module) -> None:
        self.cls.predictions.decoder = cast(nn.Linear, new_embeddings)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **_: Any,
    ) -> MaskedLMOutput:
        out = self.bert(
            input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            output_hidden_states=output_hidden_states,
        )
        logits = self.cls(out.last_hidden_state)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(
                logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE_INDEX
            )
        return MaskedLMOutput(loss=loss, logits=logits, hidden_states=out.hidden_states)


AutoConfig.register(MODEL_TYPE, Dnabert2Config, exist_ok=True)
AutoModel.register(Dnabert2Config, Dnabert2Model, exist_ok=True)
AutoModelForMaskedLM.register(Dnabert2Config, Dnabert2ForMaskedLM, exist_ok=True)
