"""DNABERT-2's architecture (MosaicBERT as published in zhihan1996/DNABERT-2-117M ``bert_layers.py``) as our
own Hugging Face classes: no remote code, no triton, no einops.

What belongs here: Dnabert2Config / Dnabert2Model / Dnabert2ForMaskedLM, registered with AutoConfig,
AutoModel and AutoModelForMaskedLM under model_type ``utr_dnabert2`` (importing ``utr_assets.models``
registers them). Not here: presets and training settings (dnabert2.py), weight import (dnabert2_import.py).

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

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, PretrainedConfig, PreTrainedModel
from transformers.activations import ACT2FN
from transformers.modeling_outputs import BaseModelOutput, MaskedLMOutput

MODEL_TYPE = "utr_dnabert2"
IGNORE_INDEX = -100
PAD_BIAS = -10000.0  # the publisher's additive mask value at padded keys
HEAD_LAYER_NORM_EPS = 1e-12  # fixed in the publisher's prediction head, whatever layer_norm_eps says


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
        super().__init__(pad_token_id=pad_token_id, **kwargs)


def alibi_slopes(n_heads: int) -> list[float]:
    """Per-head ALiBi slopes (the publisher's ``_get_alibi_head_slopes``)."""

    def power_of_2(n: int) -> list[float]:
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start**i for i in range(n)]

    if math.log2(n_heads).is_integer():
        return power_of_2(n_heads)
    closest = 2 ** math.floor(math.log2(n_heads))
    return power_of_2(closest) + alibi_slopes(2 * closest)[0::2][: n_heads - closest]


class Dnabert2Embeddings(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(
            config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id
        )
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class Dnabert2SelfAttention(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.n_heads = config.num_attention_heads
        self.head_size = config.hidden_size // config.num_attention_heads
        self.p_dropout = config.attention_probs_dropout_prob
        self.Wqkv = nn.Linear(config.hidden_size, 3 * config.hidden_size)

    def forward(self, x: torch.Tensor, layout: _Layout, bias: torch.Tensor) -> torch.Tensor:
        qkv = layout.pad(self.Wqkv(x))  # (b, s, 3 * hidden)
        b, s, _ = qkv.shape
        q, k, v = qkv.view(b, s, 3, self.n_heads, self.head_size).permute(2, 0, 3, 1, 4).unbind(0)
        out = F.scaled_dot_product_attention(
            q, k, v, attn_mask=bias.to(q.dtype), dropout_p=self.p_dropout if self.training else 0.0
        )
        return layout.unpad(out.transpose(1, 2).reshape(b, s, -1))


class Dnabert2SelfOutput(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Dnabert2Attention(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.self = Dnabert2SelfAttention(config)
        self.output = Dnabert2SelfOutput(config)

    def forward(self, x: torch.Tensor, layout: _Layout, bias: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, layout, bias), x)


class Dnabert2GatedMLP(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.intermediate_size = config.intermediate_size
        self.gated_layers = nn.Linear(config.hidden_size, 2 * config.intermediate_size, bias=False)
        self.act = nn.GELU(approximate="none")
        self.wo = nn.Linear(config.intermediate_size, config.hidden_size)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gated, non_gated = self.gated_layers(x).split(self.intermediate_size, dim=-1)
        return self.layernorm(self.wo(self.dropout(self.act(gated) * non_gated)) + x)


class Dnabert2Layer(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.attention = Dnabert2Attention(config)
        self.mlp = Dnabert2GatedMLP(config)

    def forward(self, x: torch.Tensor, layout: _Layout, bias: torch.Tensor) -> torch.Tensor:
        return self.mlp(self.attention(x, layout, bias))


class _Layout:
    """Where the real tokens of a (batch, seq) block are: ``indices`` into the flattened block, or None
    when every position is real (then unpadding is a reshape)."""

    def __init__(self, mask: torch.Tensor) -> None:
        self.batch, self.seq = mask.shape
        flat = mask.reshape(-1).bool()
        self.indices = None if bool(flat.all()) else flat.nonzero().squeeze(1)

    def unpad(self, x: torch.Tensor) -> torch.Tensor:
        """(b, s, d) -> (real tokens, d)."""
        x = x.reshape(self.batch * self.seq, -1)
        return x if self.indices is None else x.index_select(0, self.indices)

    def pad(self, x: torch.Tensor) -> torch.Tensor:
        """(real tokens, d) -> (b, s, d) with zeros at padded positions."""
        if self.indices is not None:
            x = x.new_zeros(self.batch * self.seq, x.shape[-1]).index_copy(0, self.indices, x)
        return x.view(self.batch, self.seq, -1)


class Dnabert2PreTrainedModel(PreTrainedModel):
    config_class = Dnabert2Config
    base_model_prefix = "bert"
    main_input_name = "input_ids"
    supports_gradient_checkpointing = False


class Dnabert2Encoder(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.layer = nn.ModuleList(Dnabert2Layer(config) for _ in range(config.num_hidden_layers))
        # a plain attribute, not a buffer: from_pretrained leaves non-persistent buffers uninitialised
        self.slopes = tuple(alibi_slopes(config.num_attention_heads))

    def attention_bias(self, mask: torch.Tensor) -> torch.Tensor:
        """(b or 1, heads, s, s) additive bias: ALiBi plus PAD_BIAS at padded keys (float32)."""
        s = mask.shape[1]
        pos = torch.arange(s, device=mask.device)
        distance = (pos[None, :] - pos[:, None]).abs()
        slopes = torch.tensor(self.slopes, dtype=torch.float32, device=mask.device)
        alibi = slopes[:, None, None] * -distance  # (heads, s, s)
        if bool(mask.all()):
            return alibi[None]
        return (1.0 - mask[:, None, None, :].float()) * PAD_BIAS + alibi[None]


class Dnabert2Model(Dnabert2PreTrainedModel):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__(config)
        self.embeddings = Dnabert2Embeddings(config)
        self.encoder = Dnabert2Encoder(config)
        self.post_init()

    def get_input_embeddings(self) -> nn.Module:
        return self.embeddings.word_embeddings

    def set_input_embeddings(self, value: nn.Module) -> None:
        self.embeddings.word_embeddings = value

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
        layout = _Layout(mask)
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
        self.cls.predictions.decoder = new_embeddings

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
