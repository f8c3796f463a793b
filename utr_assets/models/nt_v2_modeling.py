"""Nucleotide Transformer v2 as our own Hugging Face classes (no remote code): NtV2Config, NtV2Model and
NtV2ForMaskedLM, registered with AutoConfig / AutoModel / AutoModelForMaskedLM under model_type
``utr_nt_v2`` (importing ``utr_assets.models`` registers them).

What belongs here: the architecture only. Not here: presets and training settings (nt.py), mapping a
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
from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, PretrainedConfig, PreTrainedModel
from transformers import initialization as init
from transformers.modeling_outputs import BaseModelOutput, MaskedLMOutput

MODEL_TYPE = "utr_nt_v2"
MASK_RATIO_TRAIN = 0.15 * 0.8  # ESM's hard-coded training mask ratio (token_dropout)


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
        super().__init__(pad_token_id=pad_token_id, **kwargs)
        self.pad_token_id = pad_token_id


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class RotaryEmbedding(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim
        self.register_buffer("inv_freq", self.default_inv_freq(dim), persistent=False)

    @staticmethod
    def default_inv_freq(dim: int) -> torch.Tensor:
        return 1.0 / (10000 ** (torch.arange(0, dim, 2).float() / dim))

    def forward(self, q: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        t = torch.arange(k.shape[-2], device=k.device, dtype=self.inv_freq.dtype)
        freqs = torch.outer(t, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        return (q * cos + _rotate_half(q) * sin).to(q.dtype), (k * cos + _rotate_half(k) * sin).to(k.dtype)


class NtV2Embeddings(nn.Module):
    def __init__(self, config: NtV2Config) -> None:
        super().__init__()
        d, pad = config.hidden_size, config.pad_token_id
        self.word_embeddings = nn.Embedding(config.vocab_size, d, padding_idx=pad)
        self.layer_norm = nn.LayerNorm(d, eps=config.layer_norm_eps) if config.emb_layer_norm_before else None
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, d, padding_idx=pad)
        self.absolute = config.position_embedding_type == "absolute"
        self.position_embeddings.weight.requires_grad_(self.absolute)
        self.token_dropout, self.mask_token_id, self.padding_idx = (
            config.token_dropout,
            config.mask_token_id,
            pad,
        )

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = self.word_embeddings(input_ids)
        if self.token_dropout:
            masked = input_ids == self.mask_token_id
            x = x.masked_fill(masked[..., None], 0.0)
            observed = masked.sum(-1).float() / attention_mask.sum(-1)
            x = (x * (1 - MASK_RATIO_TRAIN) / (1 - observed)[:, None, None]).to(x.dtype)
        if self.absolute:  # positions from padding_idx + 1, padded tokens keep padding_idx (fairseq)
            real = input_ids.ne(self.padding_idx).int()
            x = x + self.position_embeddings(torch.cumsum(real, dim=1) * real + self.padding_idx)
        if self.layer_norm is not None:
            x = self.layer_norm(x)
        return (x * attention_mask[..., None]).to(x.dtype)


class NtV2SelfAttention(nn.Module):
    def __init__(self, config: NtV2Config) -> None:
        super().__init__()
        d = config.hidden_size
        self.heads, self.head_dim = config.num_attention_heads, d // config.num_attention_heads
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.dropout = config.attention_probs_dropout_prob
        rotary = config.position_embedding_type == "rotary"
        self.rotary_embeddings = RotaryEmbedding(self.head_dim) if rotary else None

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(*x.shape[:2], self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        q = self._heads(self.query(x)) * self.head_dim**-0.5
        k, v = self._heads(self.key(x)), self._heads(self.value(x))
        if self.rotary_embeddings is not None:
            q, k = self.rotary_embeddings(q, k)
        out = F.scaled_dot_product_attention(
            q, k, v, attn_mask=key_mask, scale=1.0, dropout_p=self.dropout if self.training else 0.0
        )
        return out.transpose(1, 2).reshape(x.shape)


class NtV2Residual(nn.Module):
    """Projection + dropout added to the residual stream (the publisher's EsmSelfOutput / EsmOutput)."""

    def __init__(self, d_in: int, d_out: int, dropout: float, bias: bool = True) -> None:
        super().__init__()
        self.dense = nn.Linear(d_in, d_out, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.dense(x)) + residual


class NtV2Attention(nn.Module):
    def __init__(self, config: NtV2Config) -> None:
        super().__init__()
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.self = NtV2SelfAttention(config)
        self.output = NtV2Residual(config.hidden_size, config.hidden_size, config.hidden_dropout_prob)

    def forward(self, h: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(self.LayerNorm(h), key_mask), h)


class NtV2Intermediate(nn.Module):
    """SwiGLU: silu(x1) * x2 of one projection to 2 x intermediate_size."""

    def __init__(self, config: NtV2Config) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, 2 * config.intermediate_size, bias=config.add_bias_fnn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1, x2 = self.dense(x).chunk(2, dim=-1)
        return F.silu(x1) * x2


class NtV2Layer(nn.Module):
    def __init__(self, config: NtV2Config) -> None:
        super().__init__()
        self.attention = NtV2Attention(config)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.intermediate = NtV2Intermediate(config)
        self.output = NtV2Residual(
            config.intermediate_size, config.hidden_size, config.hidden_dropout_prob, bias=config.add_bias_fnn
        )

    def forward(self, h: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        h = self.attention(h, key_mask)
        return self.output(self.intermediate(self.LayerNorm(h)), h)


class NtV2Encoder(nn.Module):
    def __init__(self, config: NtV2Config) -> None:
        super().__init__()
        self.layer = nn.ModuleList(NtV2Layer(config) for _ in range(config.num_hidden_layers))
        self.emb_layer_norm_after = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)


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
        hidden = [] if output_hidden_states else None
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
