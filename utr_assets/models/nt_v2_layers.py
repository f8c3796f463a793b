"""The building blocks of our NT-v2 (ESM) encoder: rotary embeddings, token embeddings with token dropout,
pre-LN attention, the SwiGLU feed-forward, one layer, the encoder.

What belongs here: the `nn.Module`s below the model, with the publisher's module names (their semantics are
described in `nt_v2_modeling.py`). Not here: the config (`nt_v2_config.py`), the models, the LM head and
the Auto registration (`nt_v2_modeling.py`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from utr_assets.models.nt_v2_config import NtV2Config

MASK_RATIO_TRAIN = 0.15 * 0.8  # ESM's hard-coded training mask ratio (token_dropout)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class RotaryEmbedding(nn.Module):
    inv_freq: torch.Tensor  # a non-persistent buffer

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
